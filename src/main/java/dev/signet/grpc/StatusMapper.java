package dev.signet.grpc;

import dev.signet.error.SignetException;
import dev.signet.logging.LogLimiter;
import dev.signet.logging.ThrottledLog;
import io.grpc.Status;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place a failure becomes a gRPC status. Domain failures keep their message (written for
 * the caller, never holding a secret); anything else is a bug, answered with a bare INTERNAL.
 *
 * <p>Backend failures (UNAVAILABLE, INTERNAL) are logged here, one line per kind and cause class
 * per interval with the cause in one line (its stack trace only at FINE), so a peer repeating a
 * request that fails cannot flood the logs. Unexpected exceptions keep their stack trace, within
 * the same limit.
 */
public final class StatusMapper {
  private static final Logger LOG = Logger.getLogger(StatusMapper.class.getName());
  private static final Duration LOG_INTERVAL = Duration.ofSeconds(10);
  private static final ThrottledLog THROTTLED = new ThrottledLog(LOG, LOG_INTERVAL);
  private static final LogLimiter UNEXPECTED = new LogLimiter(LOG_INTERVAL);

  private StatusMapper() {}

  /** The status for a failure. */
  public static Status toStatus(Throwable t) {
    if (t instanceof SignetException e) {
      Status s = switch (e.kind()) {
        case UNAUTHENTICATED -> Status.UNAUTHENTICATED;
        case INVALID_REQUEST -> Status.INVALID_ARGUMENT;
        case UNAVAILABLE -> Status.UNAVAILABLE;
        case OVERLOADED -> Status.RESOURCE_EXHAUSTED;
        case INTERNAL -> Status.INTERNAL;
      };
      if (e.kind() == SignetException.Kind.INTERNAL || e.kind() == SignetException.Kind.UNAVAILABLE) {
        logBackendFailure(e);
      }
      return s.withDescription(e.getMessage());
    }
    int held = UNEXPECTED.admit(t.getClass().getName());
    if (held >= 0) {
      LOG.log(Level.SEVERE, "unexpected failure while handling a request"
          + LogLimiter.held(held, LOG_INTERVAL), t);
    }
    return Status.INTERNAL.withDescription("internal error; see the Signet logs");
  }

  private static void logBackendFailure(SignetException e) {
    Throwable cause = e.getCause();
    THROTTLED.log(Level.WARNING, e.kind() + "/" + (cause == null ? "" : cause.getClass().getName()),
        () -> e.getMessage() + (cause == null ? "" : "; cause: " + oneLine(cause)));
    if (cause != null && LOG.isLoggable(Level.FINE)) {
      LOG.log(Level.FINE, e.getMessage(), cause);
    }
  }

  private static String oneLine(Throwable t) {
    String s = t.toString();
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }

  /** The metric and audit label of a failure. */
  public static String outcome(Throwable t) {
    if (t instanceof SignetException e) {
      return switch (e.kind()) {
        case UNAUTHENTICATED -> "unauthenticated";
        case INVALID_REQUEST -> "invalid_request";
        case UNAVAILABLE -> "unavailable";
        case OVERLOADED -> "overloaded";
        case INTERNAL -> "internal";
      };
    }
    return "internal";
  }
}
