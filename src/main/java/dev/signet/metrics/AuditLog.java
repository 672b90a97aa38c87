package dev.signet.metrics;

import dev.signet.issue.Issuance;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * One line per certificate issued, on the {@code signet.audit} logger: serial, identity, how the
 * caller authenticated, key type, validity and the signing CA. Refusals are logged at FINE.
 * Never a token, a CSR or a key.
 */
public final class AuditLog {
  private static final Logger LOG = Logger.getLogger("signet.audit");

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
    }
  }
}
