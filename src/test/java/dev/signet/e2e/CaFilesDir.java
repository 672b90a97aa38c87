package dev.signet.e2e;

import dev.signet.pki.CaCertificates;
import dev.signet.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * A CA in Istio's plug-in layout ("cacerts"), as an operator makes it for Signet's files CA
 * source: a root and an intermediate signing CA below it. The operator keeps the root's key
 * (here: this object, never the directory) to replace the intermediate later.
 */
final class CaFilesDir {
  private final Path dir;
  private final KeyPair rootKeys;
  private final X509Certificate root;

  private CaFilesDir(Path dir, KeyPair rootKeys, X509Certificate root) {
    this.dir = dir;
    this.rootKeys = rootKeys;
    this.root = root;
  }

  /**
   * Writes ca-cert.pem, ca-key.pem, cert-chain.pem and root-cert.pem into {@code dir}, the
   * signing CA's subject {@code O=Signet E2E,CN=Signing CA}.
   */
  static CaFilesDir write(Path dir) throws IOException {
    Files.createDirectories(dir);
    KeyPair rootKeys = CaCertificates.ecKeyPair("secp256r1");
    X509Certificate root = CaCertificates.root("O=Signet E2E,CN=Root CA", rootKeys,
        Duration.ofDays(30));
    CaFilesDir ca = new CaFilesDir(dir, rootKeys, root);
    ca.replaceSigningCa("O=Signet E2E,CN=Signing CA");
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
   * Replaces the signing CA with a new key and certificate named {@code subject} under the same
   * root, each file swapped in whole (written beside it, then moved over it). Signet may see a
   * mix of old and new files for a moment; it refuses such a set and keeps signing with the last
   * good one until it sees the whole new set.
   */
  X509Certificate replaceSigningCa(String subject) throws IOException {
    KeyPair caKeys = CaCertificates.ecKeyPair("secp256r1");
    X509Certificate ca = CaCertificates.intermediate(subject, caKeys.getPublic(), root,
        rootKeys.getPrivate(), Duration.ofDays(10), 0);
    replace("ca-key.pem", Pem.encode("PRIVATE KEY", caKeys.getPrivate().getEncoded()));
    replace("ca-cert.pem", Pem.encode(ca));
    replace("cert-chain.pem", Pem.encode(ca) + Pem.encode(root));
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
