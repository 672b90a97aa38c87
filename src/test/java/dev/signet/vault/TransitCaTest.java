package dev.signet.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.client.ChainVerifier.VerifiedChain;
import dev.signet.client.SignetClient;
import dev.signet.testing.VaultServer;
import io.github.jopenlibs.vault.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * vault-transit against a real Vault set up by deploy/vault/setup.sh, with Signet logged in
 * through the least-privilege AppRole of the model, issuing over its real TLS gRPC endpoint.
 */
class TransitCaTest {
  static final String CHAIN = "ca.vault.kv.path=signet/transit-chain";
  @TempDir static Path dir;
  @RegisterExtension static final VaultFixture fixture = new VaultFixture();

  static VaultSignet signet(VaultFixture f, Path d, String... extra) throws Exception {
    String[] auth = f.setup().approle("transit", d);
    String[] all = new String[auth.length + extra.length + 2];
    System.arraycopy(auth, 0, all, 0, auth.length);
    System.arraycopy(extra, 0, all, auth.length, extra.length);
    all[all.length - 2] = "ca.vault.transit.poll-interval=300ms";
    all[all.length - 1] = CHAIN;
    return VaultSignet.start(d, "vault-transit", all);
  }

  @Test
  void certificatesVerifyAgainstTheChainAndTheKeyStaysInVault() throws Exception {
    Path d = Files.createDirectory(dir.resolve("basic"));
    try (VaultSignet signet = signet(fixture, d); SignetClient client = signet.client()) {
      VerifiedChain v = VaultSignet.issueAndVerify(client, signet.token(), signet.roots());
      JsonObject key = VaultServer.data(fixture.vault().root("GET", "transit/keys/signet-ca", null));
      String publicKey = key.get("keys").asObject().get("1").asObject()
          .getString("public_key", "");
      // The signing certificate is for the Transit key: its private half never left Vault.
      assertThat(dev.signet.pki.Pem.decodeAll(publicKey).get(0).der())
          .isEqualTo(v.intermediates().get(0).getPublicKey().getEncoded());
      assertThat(v.leaf().getSigAlgName()).isEqualTo("SHA256withECDSA");
      assertThat(signet.server.registry().scrape()).contains("signet_vault_transit_batch_size");
      // A Vault round trip never runs on a transport thread.
      VaultSignet.issueAndVerify(client, signet.token(), signet.roots());
      assertThat(signet.server.registry().get("signet.create_certificate.dispatch")
          .tag("thread", "transport").counter().count()).isZero();
      // Each call brings a new token: dispatched to the authentication pool, which hands the
      // Transit signature on to a worker.
      assertThat(signet.server.registry().get("signet.create_certificate.dispatch")
          .tag("thread", "auth").counter().count()).isEqualTo(2);
    }
  }

  @Test
  void concurrentRequestsShareBatchCalls() throws Exception {
    Path d = Files.createDirectory(dir.resolve("batch"));
    try (VaultSignet signet = signet(fixture, d, "ca.vault.transit.batch-window=20ms");
        SignetClient client = signet.client();
        Load load = new Load(client, signet.token(), signet.roots(), 16, 320)) {
      waitFor(() -> load.ok.get() + load.failed() + load.wrong.get() >= 320, "load done");
      load.stop();
      assertThat(load.ok.get()).as(load.toString()).isEqualTo(320);
      double calls = signet.server.registry().get("signet_vault_transit_batch_size")
          .summary().count();
      // 320 signatures in clearly fewer calls than certificates: coalescing works.
      assertThat(calls).isLessThan(160);
    }
  }

  @Test
  void aNewKeyVersionWithItsCertificateTakesOverWithoutAFailedRequest() throws Exception {
    Path d = Files.createDirectory(dir.resolve("rotate"));
    try (VaultSignet signet = signet(fixture, d); SignetClient client = signet.client();
        Load load = new Load(client, signet.token(), signet.roots(), 4, 100_000)) {
      waitFor(() -> load.ok.get() > 20, "load running");
      fixture.vault().root("POST", "transit/keys/signet-ca/rotate", "{}");
      int version = VaultServer.data(fixture.vault().root("GET", "transit/keys/signet-ca", null))
          .getInt("latest_version", 0);
      // Signet keeps signing with the old version (its certificate) until the new version has one.
      int before = load.ok.get();
      waitFor(() -> load.ok.get() > before + 20, "still signing with the old version");
      String csr = VaultServer.data(fixture.vault().root("POST", "transit/keys/signet-ca/csr",
          "{\"version\":" + version + "}")).getString("csr", "");
      String cert = VaultServer.data(fixture.vault().root("POST", "pki_mesh/root/sign-intermediate",
          "{\"csr\":" + VaultServer.quote(csr) + ",\"common_name\":\"Signet transit CA v"
              + version + "\",\"ttl\":\"2160h\",\"max_path_length\":0,\"format\":\"pem\"}"))
          .getString("certificate", "");
      String chain = cert + "\n" + String.join("", chainAbove(signet));
      String root = dev.signet.pki.Pem.encode(signet.server.ca().current().roots().get(0));
      fixture.vault().root("POST", "secret/data/signet/transit-chain", "{\"data\":{\"ca-cert.pem\":"
          + VaultServer.quote(cert) + ",\"cert-chain.pem\":" + VaultServer.quote(chain)
          + ",\"root-cert.pem\":" + VaultServer.quote(root) + "}}");
      waitFor(() -> signet.server.ca().describe().contains(" v" + version), "switch to v"
          + version);
      int switched = load.ok.get();
      waitFor(() -> load.ok.get() > switched + 20, "signing with the new version");
      load.stop();
      assertThat(load.failed()).as(load.toString()).isZero();
      assertThat(load.wrong.get()).as(load.toString()).isZero();
      assertThat(load.issuers).as("signing certificates used").hasSize(2);
    }
  }

  @Test
  void anExpiringTokenIsReplacedByAFreshLogin() throws Exception {
    fixture.vault().root("POST", "auth/approle/role/signet-transit-short", "{\"token_policies\":"
        + "\"signet-transit\",\"token_no_default_policy\":true,\"token_ttl\":\"2s\","
        + "\"token_max_ttl\":\"3s\"}");
    String roleId = VaultServer.data(fixture.vault().root("GET",
        "auth/approle/role/signet-transit-short/role-id", null)).getString("role_id", "");
    String secretId = VaultServer.data(fixture.vault().root("POST",
        "auth/approle/role/signet-transit-short/secret-id", "{}")).getString("secret_id", "");
    Path d = Files.createDirectory(dir.resolve("relogin"));
    Files.writeString(d.resolve("sid"), secretId);
    try (VaultSignet signet = VaultSignet.start(d, "vault-transit",
        "ca.vault.address=" + fixture.vault().address(), "ca.vault.allow-insecure-http=true",
        "ca.vault.auth.method=approle",
        "ca.vault.auth.role-id=" + roleId, "ca.vault.auth.secret-id-file=" + d.resolve("sid"),
        CHAIN);
        SignetClient client = signet.client();
        Load load = new Load(client, signet.token(), signet.roots(), 2, 100_000)) {
      // Several max TTLs pass under load: each needs a fresh login, and no request fails.
      waitFor(() -> logins(signet) >= 4, "fresh logins");
      load.stop();
      assertThat(load.ok.get()).isPositive();
      assertThat(load.failed()).as(load.toString()).isZero();
      assertThat(load.wrong.get()).isZero();
    }
  }

  private static double logins(VaultSignet signet) {
    return signet.server.registry().find("signet_vault_call").tag("operation", "login")
        .timers().stream().mapToDouble(t -> t.count()).sum();
  }

  private static java.util.List<String> chainAbove(VaultSignet signet) {
    java.util.List<String> out = new java.util.ArrayList<>();
    var a = signet.server.ca().current();
    a.intermediates().forEach(c -> out.add(dev.signet.pki.Pem.encode(c)));
    a.roots().forEach(c -> out.add(dev.signet.pki.Pem.encode(c)));
    return out;
  }

  static void waitFor(BooleanSupplier condition, String what) {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for: " + what);
      }
      java.util.concurrent.locks.LockSupport.parkNanos(20_000_000);
    }
  }
}
