package dev.signet.vault;

import static dev.signet.vault.TransitCaTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.client.ChainVerifier.VerifiedChain;
import dev.signet.client.SignetClient;
import dev.signet.testing.VaultServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * vault-pki against a real Vault set up by deploy/vault/setup.sh, least-privilege AppRole: the
 * mesh intermediate signs Signet's in-memory key; renewals overlap without a failed request.
 */
class PkiCaTest {
  @TempDir static Path dir;
  @RegisterExtension static final VaultFixture fixture = new VaultFixture();

  static VaultSignet signet(VaultFixture f, Path d, String... extra) throws Exception {
    String[] auth = f.setup().approle("pki", d);
    String[] all = java.util.Arrays.copyOf(auth, auth.length + extra.length);
    System.arraycopy(extra, 0, all, auth.length, extra.length);
    return VaultSignet.start(d, "vault-pki", all);
  }

  @Test
  void theSigningCertificateHasTheMeshShapeAndLeavesVerify() throws Exception {
    Path d = Files.createDirectory(dir.resolve("basic"));
    try (VaultSignet signet = signet(fixture, d); SignetClient client = signet.client()) {
      VerifiedChain v = VaultSignet.issueAndVerify(client, signet.token(), signet.roots());
      X509Certificate signing = v.intermediates().get(0);
      assertThat(signing.getBasicConstraints()).isZero(); // CA, pathLen 0
      assertThat(signing.getKeyUsage()[5]).as("keyCertSign").isTrue();
      assertThat(signing.getSubjectX500Principal().getName()).contains("Signet signing CA");
      Duration life = Duration.between(signing.getNotBefore().toInstant(),
          signing.getNotAfter().toInstant());
      assertThat(life).isBetween(Duration.ofDays(89), Duration.ofDays(91)); // 90-day default
      assertThat(v.intermediates().get(1).getSubjectX500Principal().getName())
          .contains("Mesh intermediate");
    }
  }

  @Test
  void withATransitKeyTheSigningKeyNeverLeavesVaultAndRenewsUnderLoad() throws Exception {
    Path d = Files.createDirectory(dir.resolve("transit"));
    String[] auth = fixture.setup().approle("pki-transit", d);
    String[] all = java.util.Arrays.copyOf(auth, auth.length + 4);
    all[auth.length] = "ca.vault.pki.key-source=transit";
    all[auth.length + 1] = "ca.vault.pki.ttl=12s";
    all[auth.length + 2] = "ca.vault.pki.renew-remaining=0.5";
    all[auth.length + 3] = "issuance.min-ttl=1s";
    try (VaultSignet signet = VaultSignet.start(d, "vault-pki", all);
        SignetClient client = signet.client();
        Load load = new Load(client, signet.token(), signet.roots(), 4, 100_000)) {
      VerifiedChain v = VaultSignet.issueAndVerify(client, signet.token(), signet.roots());
      String publicKey = VaultServer.data(
          fixture.vault().root("GET", "transit/keys/signet-pki", null))
          .get("keys").asObject().get("1").asObject().getString("public_key", "");
      assertThat(dev.signet.pki.Pem.decodeAll(publicKey).get(0).der())
          .isEqualTo(v.intermediates().get(0).getPublicKey().getEncoded());
      assertThat(v.intermediates().get(0).getBasicConstraints()).isZero();
      waitFor(() -> load.issuers.size() >= 2, "a renewal under load");
      load.stop();
      assertThat(load.failed()).as(load.toString()).isZero();
      assertThat(load.wrong.get()).as(load.toString()).isZero();
      assertThat(signet.server.registry().get("signet_vault_transit_batch_size").summary()
          .count()).isPositive();
    }
  }

}
