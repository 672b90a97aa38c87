package dev.signet.e2e;

import dev.signet.pki.Pem;
import dev.signet.testing.VaultServer;
import dev.signet.testing.VaultTestServer;
import dev.signet.vault.VaultSetup;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.io.IOException;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;

/**
 * The suite's mesh PKI in a real Vault (the binary of .ci/tools/vault.sh as a local process),
 * set up by deploy/vault/setup.sh as an operator runs it: the example root {@code pki_root} and
 * the mesh intermediate {@code pki_mesh} below it, which signs every Signet signing CA of the
 * suite, the files CA's ({@link CaFilesDir}, as an operator makes plug-in files from Vault) and
 * vault-pki's (Signet's own key, signed through the least-privilege {@code signet-pki} AppRole).
 * Both therefore chain to the same root, so Signet can move from one to the other under a
 * running mesh. Stopped and deleted by {@link #close()}.
 */
final class MeshVault implements AutoCloseable {
  /** The subject common name of vault-pki's signing certificates. */
  static final String VAULT_PKI_CN = "Signet vault-pki signing CA";
  private static final String MOUNT = "pki_mesh";

  private final VaultTestServer vault;
  private final VaultSetup setup;

  private MeshVault(VaultTestServer vault, VaultSetup setup) {
    this.vault = vault;
    this.setup = setup;
  }

  static MeshVault start() throws IOException, InterruptedException {
    VaultTestServer vault = VaultTestServer.start();
    try {
      return new MeshVault(vault, VaultSetup.run(vault));
    } catch (IOException | InterruptedException | RuntimeException | Error e) {
      vault.close();
      throw e;
    }
  }

  /**
   * The mesh intermediate signs {@code csrPem}'s key as a signing CA (pathLen 0) named
   * {@code CN=<commonName>,O=<organization>}, as setup.sh signs the vault-kv CA; returns the
   * certificate, then the mesh intermediate, then the root.
   */
  List<X509Certificate> signSigningCa(String csrPem, String commonName, String organization,
      Duration ttl) throws CertificateException {
    JsonObject data = VaultServer.data(vault.root("POST", MOUNT + "/root/sign-intermediate",
        "{\"csr\":" + VaultServer.quote(csrPem) + ",\"common_name\":"
            + VaultServer.quote(commonName) + ",\"organization\":"
            + VaultServer.quote(organization) + ",\"ttl\":\"" + ttl.toSeconds() + "s\","
            + "\"max_path_length\":0,\"exclude_cn_from_sans\":true,\"format\":\"pem\"}"));
    List<X509Certificate> chain = new ArrayList<>(
        Pem.certificates(data.getString("certificate", "")));
    JsonValue caChain = data.get("ca_chain");
    for (JsonValue c : caChain.asArray()) {
      chain.addAll(Pem.certificates(c.asString()));
    }
    return chain;
  }

  /** Whether the mesh intermediate issued exactly this certificate (Vault's record of it). */
  boolean issued(X509Certificate cert) throws CertificateException {
    byte[] serial = cert.getSerialNumber().toByteArray();
    int from = serial.length > 1 && serial[0] == 0 ? 1 : 0;
    String hex = HexFormat.ofDelimiter(":").formatHex(serial, from, serial.length);
    JsonObject data;
    try {
      data = VaultServer.data(vault.root("GET", MOUNT + "/cert/" + hex, null));
    } catch (RuntimeException e) {
      return false; // not found
    }
    String pem = data.getString("certificate", "");
    return !pem.isEmpty() && Pem.certificates(pem).get(0).equals(cert);
  }

  /**
   * Signet's {@code ca.source=vault-pki} settings as docs/vault.md gives them, logged in with
   * setup.sh's {@code signet-pki} AppRole (its secret id in a file in {@code dir}), with a
   * signing certificate of {@code ttl} renewed when {@code renewRemaining} of it is left.
   */
  String[] vaultPkiSettings(Path dir, Duration ttl, double renewRemaining) throws IOException {
    List<String> s = new ArrayList<>(List.of(setup.approle("pki", dir)));
    s.addAll(List.of("ca.source=vault-pki", "ca.vault.pki.mount=" + MOUNT,
        "ca.vault.pki.common-name=" + VAULT_PKI_CN, "ca.vault.pki.ttl=" + ttl.toSeconds() + "s",
        "ca.vault.pki.renew-remaining=" + renewRemaining));
    return s.toArray(String[]::new);
  }

  @Override
  public void close() {
    vault.close();
  }
}
