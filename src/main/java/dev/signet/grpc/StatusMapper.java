package dev.signet.grpc;

import dev.signet.error.SignetException;
import io.grpc.Status;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The one place a failure becomes a gRPC status. Domain failures keep their message (written for
 * the caller, never holding a secret); anything else is a bug, logged here with its stack trace
 * and answered with a bare INTERNAL.
 */
public final class StatusMapper {
  private static final Logger LOG = Logger.getLogger(StatusMapper.class.getName());

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
        LOG.log(Level.WARNING, e.getMessage(), e.getCause());
      }
      return s.withDescription(e.getMessage());
    }
    LOG.log(Level.SEVERE, "unexpected failure while handling a request", t);
    return Status.INTERNAL.withDescription("internal error; see the Signet logs");
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
