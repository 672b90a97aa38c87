package dev.signet.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.pki.CaCertificates;
import java.security.KeyPair;
import java.security.cert.CertPathValidatorException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The e2e suite's check of an agent's chain fails where a TLS peer would: a leaf of a renewed
 * signing CA (same subject, new key) handed out with the old CA's certificate, or a chain to
 * another root.
 */
class AgentCertsTest {
  private static final Duration DAY = Duration.ofDays(1);
  private final KeyPair rootKeys = CaCertificates.ecKeyPair("secp256r1");
  private final X509Certificate root = CaCertificates.root("CN=Root", rootKeys, DAY);
  private final KeyPair oldKeys = CaCertificates.ecKeyPair("secp256r1");
  private final KeyPair newKeys = CaCertificates.ecKeyPair("secp256r1");
  private final X509Certificate oldCa = CaCertificates.intermediate("CN=Signing CA",
      oldKeys.getPublic(), root, rootKeys.getPrivate(), DAY, 0);
  private final X509Certificate newCa = CaCertificates.intermediate("CN=Signing CA",
      newKeys.getPublic(), root, rootKeys.getPrivate(), DAY, 0);
  private final X509Certificate leaf = CaCertificates.intermediate("CN=leaf",
      CaCertificates.ecKeyPair("secp256r1").getPublic(), newCa, newKeys.getPrivate(), DAY, -1);

  @Test
  void aChainOfTheNewCaVerifiesAndNamesItsKey() throws Exception {
    AgentCerts certs = new AgentCerts(List.of(leaf, newCa, root));
    certs.verify(root);
    assertThat(certs.issuerKey()).isEqualTo(AgentCerts.keyId(newCa))
        .isNotEqualTo(AgentCerts.keyId(oldCa));
  }

  @Test
  void aLeafOfTheNewCaWithTheOldCasCertificateFails() {
    AgentCerts mixed = new AgentCerts(List.of(leaf, oldCa, root));
    assertThat(mixed.verifiesTo(root)).isFalse();
    assertThatThrownBy(() -> mixed.verify(root)).isInstanceOf(CertPathValidatorException.class);
  }

  @Test
  void aChainToAnotherRootFails() {
    KeyPair otherKeys = CaCertificates.ecKeyPair("secp256r1");
    X509Certificate other = CaCertificates.root("CN=Root", otherKeys, DAY);
    assertThat(new AgentCerts(List.of(leaf, newCa)).verifiesTo(other)).isFalse();
  }
}
