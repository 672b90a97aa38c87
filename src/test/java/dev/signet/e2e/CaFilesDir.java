package dev.signet.e2e;

import dev.signet.pki.CaCertificates;
import dev.signet.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * A CA in Istio's plug-in layout ("cacerts"), as an operator makes it for Signet's files CA
 * source from a mesh PKI in Vault: a new key whose signing-CA certificate the mesh intermediate
 * issues ({@link MeshVault}), with the chain up to the root. The operator asks Vault again to
 * replace it later.
 */
final class CaFilesDir {
  static final String ORGANIZATION = "Signet E2E";
  private final Path dir;
  private final MeshVault vault;
  private X509Certificate root;

  private CaFilesDir(Path dir, MeshVault vault) {
    this.dir = dir;
    this.vault = vault;
  }

  /**
   * Writes ca-cert.pem, ca-key.pem, cert-chain.pem and root-cert.pem into {@code dir}, the
   * signing CA's subject {@code CN=Signing CA,O=Signet E2E}.
   */
  static CaFilesDir write(Path dir, MeshVault vault) throws IOException, GeneralSecurityException {
    Files.createDirectories(dir);
    CaFilesDir ca = new CaFilesDir(dir, vault);
    ca.replaceSigningCa("Signing CA");
    return ca;
  }

  /** The directory Signet's {@code ca.files.directory} names. */
  Path directory() {
    return dir;
  }

  /** The PEM of the root (what the mesh trusts). */
  String rootPem() {
    return Pem.encode(root);
  }

  /**
   * Replaces the signing CA with a new key and a certificate {@code CN=<commonName>,O=Signet
   * E2E} from the mesh intermediate, each file swapped in whole (written beside it, then moved
   * over it). Signet may see a mix of old and new files for a moment; it refuses such a set and
   * keeps signing with the last good one until it sees the whole new set.
   */
  X509Certificate replaceSigningCa(String commonName) throws IOException,
      GeneralSecurityException {
    KeyPair caKeys = CaCertificates.ecKeyPair("secp256r1");
    String csr;
    try {
      csr = Pem.encode("CERTIFICATE REQUEST", new JcaPKCS10CertificationRequestBuilder(
          new X500Name("CN=" + commonName), caKeys.getPublic())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKeys.getPrivate()))
          .getEncoded());
    } catch (OperatorCreationException e) {
      throw new GeneralSecurityException(e);
    }
    List<X509Certificate> chain = vault.signSigningCa(csr, commonName, ORGANIZATION,
        Duration.ofDays(10));
    X509Certificate ca = chain.get(0);
    root = chain.get(chain.size() - 1);
    replace("ca-key.pem", Pem.encode("PRIVATE KEY", caKeys.getPrivate().getEncoded()));
    replace("ca-cert.pem", Pem.encode(ca));
    replace("cert-chain.pem", chain.stream().map(Pem::encode).reduce("", String::concat));
    replace("root-cert.pem", Pem.encode(root));
    return ca;
  }

  private void replace(String name, String content) throws IOException {
    Path next = dir.resolve("." + name + ".next");
    Files.writeString(next, content);
    Files.move(next, dir.resolve(name), StandardCopyOption.ATOMIC_MOVE,
        StandardCopyOption.REPLACE_EXISTING);
  }
}
