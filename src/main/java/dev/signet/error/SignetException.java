package dev.signet.error;

import static java.util.Objects.requireNonNull;

/**
 * The one domain failure type. Its {@link Kind} says what went wrong in terms a caller can act on;
 * {@code dev.signet.grpc.StatusMapper} is the only place that turns it into a gRPC status.
 *
 * <p>Messages are written for the operator of the calling workload: they say what was wrong and
 * what is allowed, and never contain a token, key material or a stack trace.
 */
public final class SignetException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What kind of failure this is; each kind has exactly one gRPC status. */
  public enum Kind {
    /** Missing, invalid or mismatched credentials. Final for the caller. */
    UNAUTHENTICATED,
    /** The request (CSR, TTL, metadata) is malformed or outside policy. Final for the caller. */
    INVALID_REQUEST,
    /** A backend (CA source, Vault, API server) is not usable right now. Worth retrying. */
    UNAVAILABLE,
    /** Signet is shedding load. Worth retrying with backoff. */
    OVERLOADED,
    /** A bug or an unexpected failure inside Signet. */
    INTERNAL
  }

  private final Kind kind;

  private SignetException(Kind kind, String message, Throwable cause) {
    super(requireNonNull(message, "message"), cause, false, cause != null);
    this.kind = requireNonNull(kind, "kind");
  }

  public static SignetException unauthenticated(String message) {
    return new SignetException(Kind.UNAUTHENTICATED, message, null);
  }

  public static SignetException invalidRequest(String message) {
    return new SignetException(Kind.INVALID_REQUEST, message, null);
  }

  public static SignetException unavailable(String message, Throwable cause) {
    return new SignetException(Kind.UNAVAILABLE, message, cause);
  }

  public static SignetException overloaded(String message) {
    return new SignetException(Kind.OVERLOADED, message, null);
  }

  public static SignetException internal(String message, Throwable cause) {
    return new SignetException(Kind.INTERNAL, message, cause);
  }

  public Kind kind() {
    return kind;
  }
}
