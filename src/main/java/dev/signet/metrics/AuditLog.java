package dev.signet.metrics;

import dev.signet.issue.Issuance;
import dev.signet.logging.ThrottledLog;
import java.time.Duration;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line per certificate issued, on the {@code signet.audit} logger: serial (as
 * {@code openssl x509 -serial} prints it, {@link dev.signet.issue.IssuedCertificate#serialHex}),
 * identity, how the caller authenticated, key type, validity and the signing CA. Refusals are logged at INFO, one
 * line per outcome per interval with the count of those held back (a peer repeating a refused
 * request cannot flood the log), and each one at FINE. Never a token, a CSR or a key.
 */
public final class AuditLog {
  private static final Logger LOG = Logger.getLogger("signet.audit");
  private static final Duration REFUSAL_INTERVAL = Duration.ofSeconds(10);

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

  /** Records a refusal. */
  public void refused(String outcome, String reason) {
    if (LOG.isLoggable(Level.FINE)) {
      LOG.fine("refused outcome=" + outcome + " reason=" + reason);
      return;
    }
    refusals.log(Level.INFO, outcome, () -> "refused outcome=" + outcome + " reason=" + reason);
  }
}
