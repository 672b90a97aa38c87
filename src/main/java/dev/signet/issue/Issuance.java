package dev.signet.issue;

import dev.signet.auth.Caller;
import java.util.List;

/**
 * The result of one successful CreateCertificate: the response chain and what the audit log
 * records.
 *
 * @param chain {@code [leaf, each intermediate, root bundle]}, each PEM ending with "\n"
 */
public record Issuance(Caller caller, IssuedCertificate certificate, String keyType,
    String caFingerprint, List<String> chain) {
  public Issuance {
    chain = List.copyOf(chain);
  }
}
