package dev.signet.vault;

import static dev.signet.vault.TransitCaTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.client.ChainVerifier.VerifiedChain;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.dev.DevCa;
import dev.signet.dev.DevTokens;
import dev.signet.pki.Pem;
import dev.signet.testing.VaultServer;
import io.github.jopenlibs.vault.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** vault-kv against a real Vault set up by deploy/vault/setup.sh, least-privilege AppRole. */
class KvCaTest {
  @TempDir static Path dir;
  @RegisterExtension static final VaultFixture fixture = new VaultFixture();

  static VaultSignet signet(VaultFixture f, Path d) throws Exception {
    String[] auth = f.setup().approle("kv", d);
    String[] all = java.util.Arrays.copyOf(auth, auth.length + 1);
    all[auth.length] = "ca.vault.kv.poll-interval=300ms";
    return VaultSignet.start(d, "vault-kv", all);
  }

  @Test
  void certificatesVerifyAgainstTheChainFromKv() throws Exception {
    Path d = Files.createDirectory(dir.resolve("basic"));
    try (VaultSignet signet = signet(fixture, d); SignetClient client = signet.client()) {
      VerifiedChain v = VaultSignet.issueAndVerify(client, signet.token(), signet.roots());
      JsonObject secret = VaultServer.data(fixture.vault().root("GET", "secret/data/signet/ca", null));
      X509Certificate kvCa = Pem.certificates(secret.get("data").asObject()
          .getString("ca-cert.pem", "")).get(0);
      assertThat(v.intermediates().get(0)).isEqualTo(kvCa);
      assertThat(v.intermediates()).hasSize(2); // Signet's CA, then the mesh intermediate
    }
  }

  @Test
  void anInvalidVersionIsRefusedAndTheLastGoodCaKeepsSigning() throws Exception {
    Path d = Files.createDirectory(dir.resolve("invalid"));
    try (VaultSignet signet = signet(fixture, d); SignetClient client = signet.client()) {
      String before = signet.server.ca().current().fingerprint();
      JsonObject current = VaultServer.data(fixture.vault().root("GET", "secret/data/signet/ca", null))
          .get("data").asObject();
      // The key of one CA with the certificate of another: must never be used.
      KeyPair other = CsrBuilder.ecP256();
      fixture.vault().root("POST", "secret/data/signet/ca", "{\"data\":{\"ca-cert.pem\":"
          + VaultServer.quote(current.getString("ca-cert.pem", "")) + ",\"ca-key.pem\":"
          + VaultServer.quote(Pem.encode("PRIVATE KEY", other.getPrivate().getEncoded()))
          + ",\"cert-chain.pem\":" + VaultServer.quote(current.getString("cert-chain.pem", ""))
          + ",\"root-cert.pem\":" + VaultServer.quote(current.getString("root-cert.pem", ""))
          + "}}");
      long version = kvVersion(fixture);
      waitFor(() -> refreshFailures(signet) > 0 || signet.server.ca().describe()
          .endsWith(" v" + version + ")"), "the new version is checked");
      assertThat(signet.server.ca().current().fingerprint()).isEqualTo(before);
      VaultSignet.issueAndVerify(client, signet.token(), signet.roots());
    } finally {
      putNewCa(fixture, "Signet KV CA after the invalid one"); // leave a valid secret for other tests
    }
  }

  static long kvVersion(VaultFixture f) {
    return VaultServer.data(f.vault().root("GET", "secret/metadata/signet/ca", null))
        .getLong("current_version", 0);
  }

  @Test
  void aShortLivedTokenFromAFileIsRenewedAndARotatedFileIsPickedUp() throws Exception {
    Path d = Files.createDirectory(dir.resolve("token"));
    Path tokenFile = d.resolve("vault-token");
    // The dev CA and token key are made first: on a loaded machine making them took longer
    // than the token lives, and Signet's first lookup found it expired.
    DevCa.ensure(d);
    DevTokens.open(d);
    Files.writeString(tokenFile, newToken());
    try (VaultSignet signet = VaultSignet.start(d, "vault-kv",
        "ca.vault.address=" + fixture.vault().address(), "ca.vault.allow-insecure-http=true",
        "ca.vault.auth.method=token",
        "ca.vault.auth.token-file=" + tokenFile, "ca.vault.kv.poll-interval=200ms");
        SignetClient client = signet.client();
        Load load = new Load(client, signet.token(), signet.roots(), 2, 100_000)) {
      // A 5 s token outlives several of its TTLs only through renew-self.
      waitFor(() -> calls(signet, "token renew") >= 3, "renewals");
      // A new token in the file (as a sidecar would write it) is used at the next renewal.
      Files.writeString(tokenFile, newToken());
      double lookups = calls(signet, "token lookup");
      waitFor(() -> calls(signet, "token lookup") > lookups, "the rotated token is looked up");
      int ok = load.ok.get();
      waitFor(() -> load.ok.get() > ok + 10, "still signing");
      load.stop();
      assertThat(load.failed()).as(load.toString()).isZero();
      assertThat(refreshFailures(signet)).as("KV polls all succeeded").isZero();
    }
  }

  /** A renewable 5 s token with only the signet-kv policy (least privilege, no default policy). */
  private static String newToken() {
    return fixture.vault().root("POST", "auth/token/create", "{\"policies\":[\"signet-kv\"],"
        + "\"no_default_policy\":true,\"ttl\":\"5s\",\"renewable\":true}")
        .get("auth").asObject().getString("client_token", "");
  }

  private static double calls(VaultSignet signet, String operation) {
    return signet.server.registry().find("signet_vault_call").tag("operation", operation)
        .timers().stream().mapToDouble(t -> t.count()).sum();
  }

  static double refreshFailures(VaultSignet signet) {
    return signet.server.registry().get("signet_vault_ca_refresh_failures_total").counter()
        .count();
  }

  /** A new signing CA under the mesh intermediate, written as a new version of the secret. */
  static void putNewCa(VaultFixture f, String name) throws Exception {
    KeyPair keys = CsrBuilder.ecP256();
    String csr = Pem.encode("CERTIFICATE REQUEST", new JcaPKCS10CertificationRequestBuilder(
        new X500Name("CN=" + name), keys.getPublic())
        .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
        .getEncoded());
    JsonObject signed = VaultServer.data(f.vault().root("POST",
        "pki_mesh/root/sign-intermediate", "{\"csr\":" + VaultServer.quote(csr)
            + ",\"common_name\":" + VaultServer.quote(name)
            + ",\"ttl\":\"2160h\",\"max_path_length\":0,\"format\":\"pem\"}"));
    String cert = signed.getString("certificate", "");
    StringBuilder chain = new StringBuilder(cert).append('\n');
    signed.get("ca_chain").asArray().forEach(c -> chain.append(c.asString()).append('\n'));
    String root = Pem.encode(Pem.certificates(chain.toString()).stream()
        .filter(dev.signet.ca.SigningAuthority::isSelfSigned).findFirst().orElseThrow());
    f.vault().root("POST", "secret/data/signet/ca", "{\"data\":{\"ca-cert.pem\":"
        + VaultServer.quote(cert) + ",\"ca-key.pem\":"
        + VaultServer.quote(Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded()))
        + ",\"cert-chain.pem\":" + VaultServer.quote(chain.toString())
        + ",\"root-cert.pem\":" + VaultServer.quote(root) + "}}");
  }
}
