package dev.signet.e2e;

import dev.signet.pki.CaCertificates;
import dev.signet.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;

/**
 * A CA in Istio's plug-in layout ("cacerts"), as an operator makes it for Signet's files CA
 * source: a root and an intermediate signing CA below it.
 */
final class CaFilesDir {
  private CaFilesDir() {}

  /** Writes ca-cert.pem, ca-key.pem, cert-chain.pem and root-cert.pem into {@code dir}. */
  static Path write(Path dir) throws IOException {
    Files.createDirectories(dir);
    KeyPair rootKeys = CaCertificates.ecKeyPair("secp256r1");
    X509Certificate root = CaCertificates.root("O=Signet E2E,CN=Root CA", rootKeys,
        Duration.ofDays(30));
    KeyPair caKeys = CaCertificates.ecKeyPair("secp256r1");
    X509Certificate ca = CaCertificates.intermediate("O=Signet E2E,CN=Signing CA",
        caKeys.getPublic(), root, rootKeys.getPrivate(), Duration.ofDays(10), 0);
    Files.writeString(dir.resolve("ca-cert.pem"), Pem.encode(ca));
    Files.writeString(dir.resolve("ca-key.pem"),
        Pem.encode("PRIVATE KEY", caKeys.getPrivate().getEncoded()));
    Files.writeString(dir.resolve("cert-chain.pem"), Pem.encode(ca) + Pem.encode(root));
    Files.writeString(dir.resolve("root-cert.pem"), Pem.encode(root));
    return dir;
  }
}
