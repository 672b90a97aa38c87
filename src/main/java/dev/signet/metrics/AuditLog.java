package dev.signet.metrics;

import dev.signet.issue.Issuance;
import dev.signet.logging.ThrottledLog;
import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The {@code signet.audit} logger. One line per certificate issued: serial (as
 * {@code openssl x509 -serial} prints it, {@link dev.signet.issue.IssuedCertificate#serialHex}),
 * identity, how the caller authenticated, key type, validity and the signing CA. One line per
 * refusal at INFO: {@code refused outcome=<outcome> reason=<reason> message=<what the caller
 * was told>}, at most one per outcome and reason per {@value #REFUSAL_SECONDS} s with the count
 * of those held back (a peer repeating a refused request cannot flood the log, nor hide another
 * kind of refusal); every one at FINE. Field names and order are stable (docs/operations.md).
 * Never a token, a CSR or a key.
 */
public final class AuditLog {
  private static final Logger LOG = Logger.getLogger("signet.audit");
  private static final int REFUSAL_SECONDS = 10;
  private static final Duration REFUSAL_INTERVAL = Duration.ofSeconds(REFUSAL_SECONDS);

  /** Where in a call a refusal happened. */
  public enum Stage {
    /** Before any check: a limit on calls in flight, the authentication pool or the workers. */
    LOAD,
    /** The caller's token or client certificate. */
    AUTHENTICATION,
    /** A node agent asking for another identity ({@code ImpersonatedIdentity}). */
    IMPERSONATION,
    /** The CSR, the identity it asks for, or the signature. */
    ISSUANCE
  }

  private final ThrottledLog refusals = new ThrottledLog(LOG, REFUSAL_INTERVAL);

  /** Records an issued certificate. */
  public void issued(Issuance i) {
    if (LOG.isLoggable(Level.INFO)) {
      LOG.info("issued serial=" + i.certificate().serialHex()
          + " identity=" + i.caller().identity()
          + " auth=" + i.caller().method()
          + i.caller().pod().map(p -> " pod=" + p).orElse("")
          + " key=" + i.keyType()
          + " not_before=" + i.certificate().notBefore()
          + " not_after=" + i.certificate().notAfter()
          + " ca=" + i.caFingerprint().substring(0, 16));
    }
  }

  /**
   * Records a refusal.
   *
   * @param outcome the metric label of the failure ({@code unauthenticated}, ...)
   * @param message what the caller was told
   */
  public void refused(Stage stage, String outcome, String message) {
    String reason = reason(stage, outcome);
    // The line is built only when it is written: a peer can make refusals as fast as it sends.
    Supplier<String> line = () -> "refused outcome=" + outcome + " reason=" + reason
        + " message=" + message;
    if (LOG.isLoggable(Level.FINE)) {
      LOG.fine(line);
      return;
    }
    refusals.log(Level.INFO, outcome + "/" + reason, line);
  }

  /**
   * The {@code reason} field: {@code load}, {@code authentication}, {@code impersonation}, and in
   * issuance {@code csr} (a malformed or disallowed CSR), {@code identity} (a CSR for another
   * identity than the caller's) or {@code signing} (the CA could not sign).
   */
  static String reason(Stage stage, String outcome) {
    return switch (stage) {
      case LOAD -> "load";
      case AUTHENTICATION -> "authentication";
      case IMPERSONATION -> "impersonation";
      case ISSUANCE -> switch (outcome) {
        case "invalid_request" -> "csr";
        case "unauthenticated" -> "identity";
        default -> "signing";
      };
    };
  }
}
