package dev.signet.cli;

import java.util.logging.LogManager;

/**
 * java.util.logging's manager with one change: at JVM exit it does not reset (remove and close
 * every handler) concurrently with Signet's shutdown hook, so the lines of the drain (calls in
 * flight finishing, or the grace running out) reach the console instead of being dropped.
 * Signet logs only to the console, whose handler writes each record at once and never owns the
 * stream, so there is nothing to close at exit. Installed by {@link Main} through the
 * {@code java.util.logging.manager} property before anything logs.
 */
public final class SignetLogManager extends LogManager {
  /** The JDK's exit hook that resets the manager (java.util.logging.LogManager$Cleaner). */
  private static final String EXIT_HOOK = LogManager.class.getName() + "$Cleaner";

  @Override
  public void reset() {
    if (Thread.currentThread().getClass().getName().equals(EXIT_HOOK)) {
      return;
    }
    super.reset();
  }
}
