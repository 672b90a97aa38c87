package dev.signet.grpc;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.ca.FilesCaSource;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.dev.DevCa;
import dev.signet.issue.LeafSigner;
import dev.signet.testing.ManualClock;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ServingIdentityTest {
  @Test
  void renewsAtTwoThirdsOfItsLifeAndNotBefore(@TempDir Path dir) throws Exception {
    DevCa.ensure(dir);
    CryptoProvider crypto = CryptoProvider.select(ProviderChoice.AUTO);
    ManualClock clock = new ManualClock();
    try (FilesCaSource ca = FilesCaSource.open(dir, crypto, null, a -> { })) {
      ServingIdentity identity = new ServingIdentity(ca, new LeafSigner(),
          List.of("signet.signet-system.svc", "localhost"), Duration.ofHours(3), clock);
      X509Certificate first = identity.currentChain()[0];
      assertThat(first.getSubjectAlternativeNames()).extracting(n -> (Object) n.get(1))
          .containsExactly("signet.signet-system.svc", "localhost");
      first.verify(ca.current().certificate().getPublicKey());
      // A P-256 key: digitalSignature only (RFC 8813 section 3), critical.
      assertThat(first.getKeyUsage()).containsExactly(true, false, false, false, false, false,
          false, false, false);
      assertThat(first.getCriticalExtensionOIDs()).contains("2.5.29.15");

      clock.advance(Duration.ofMinutes(119));
      identity.renewIfDue();
      assertThat(identity.currentChain()[0]).isEqualTo(first);

      clock.advance(Duration.ofMinutes(2));
      identity.renewIfDue();
      X509Certificate second = identity.currentChain()[0];
      assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
      assertThat(second.getPublicKey()).isNotEqualTo(first.getPublicKey());
      assertThat(second.getNotAfter().toInstant())
          .isAfter(first.getNotAfter().toInstant().plus(Duration.ofMinutes(100)));
      // The alias handed to new handshakes serves the new generation with its own key.
      String alias = identity.chooseServerAlias("EC", null, null);
      assertThat(identity.getCertificateChain(alias)[0]).isEqualTo(second);
      assertThat(identity.getPrivateKey(alias).getAlgorithm()).isEqualTo("EC");
    }
  }
}
