package dev.signet.ca;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.dev.DevCa;
import dev.signet.issue.IssuedCertificate;
import dev.signet.issue.LeafSigner;
import dev.signet.issue.SubjectAltNames;
import dev.signet.client.CsrBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.api.io.TempDir;

/** Every selectable crypto provider loads Istio's CA layout and signs leaves that verify. */
class CaFilesProviderTest {
  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(ProviderChoice.class)
  void everyProviderLoadsTheLayoutAndSigns(ProviderChoice choice) throws Exception {
    DevCa.ensure(dir);
    CryptoProvider crypto = CryptoProvider.select(choice);
    SigningAuthority authority = CaFiles.load(dir, crypto);
    Instant now = Instant.now();
    IssuedCertificate leaf = new LeafSigner().sign(authority,
        CsrBuilder.ecP256().getPublic().getEncoded(),
        SubjectAltNames.uri("spiffe://cluster.local/ns/a/sa/b"), now, now.plus(Duration.ofHours(1)));
    java.security.cert.X509Certificate cert = (java.security.cert.X509Certificate)
        java.security.cert.CertificateFactory.getInstance("X.509")
            .generateCertificate(new java.io.ByteArrayInputStream(leaf.der()));
    cert.verify(authority.certificate().getPublicKey());
    assertThat(cert.getIssuerX500Principal())
        .isEqualTo(authority.certificate().getSubjectX500Principal());
  }
}
