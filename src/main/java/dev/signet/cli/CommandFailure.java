package dev.signet.cli;

/**
 * A command could not do its work (a port in use, a refused request): {@link Main} prints the
 * message, one line written for the operator, and exits with 1.
 */
final class CommandFailure extends RuntimeException {
  private static final long serialVersionUID = 1L;

  CommandFailure(String message) {
    super(message, null, false, false);
  }
}
