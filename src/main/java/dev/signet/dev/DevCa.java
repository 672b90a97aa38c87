package dev.signet.dev;

import dev.signet.ca.CaFiles;
import dev.signet.pki.CaCertificates;
import dev.signet.pki.KeyFiles;
import dev.signet.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.logging.Logger;

/**
 * Dev mode's CA: on first start, a root (10 years) and an intermediate (1 year, pathLen 0,
 * keyCertSign + cRLSign), both ECDSA P-256, written in Istio's plug-in layout so the files
 * loader reads them like any other CA. Kept across restarts so workloads keep trusting it.
 */
public final class DevCa {
  private static final Logger LOG = Logger.getLogger(DevCa.class.getName());
  public static final String ROOT_KEY = "root-key.pem";

  private DevCa() {}

  /** Makes the CA files in {@code dir} unless they are there already. */
  public static void ensure(Path dir) throws IOException {
    if (Files.exists(dir.resolve(CaFiles.CA_CERT))) {
      return;
    }
    write(dir);
    LOG.warning(() -> "DEV MODE: created a development CA in " + dir.toAbsolutePath()
        + "; its keys are plain files. Never use it for a real mesh.");
  }

  /** Makes a new CA in Istio's plug-in layout in {@code dir}, without a word in the log. */
  public static void write(Path dir) throws IOException {
    KeyPair rootKeys = CaCertificates.ecKeyPair("secp256r1");
    X509Certificate root = CaCertificates.root("O=signet-dev,CN=Signet dev root CA", rootKeys,
        Duration.ofDays(3650));
    KeyPair caKeys = CaCertificates.ecKeyPair("secp256r1");
    X509Certificate ca = CaCertificates.intermediate("O=signet-dev,CN=Signet dev signing CA",
        caKeys.getPublic(), root, rootKeys.getPrivate(), Duration.ofDays(365), 0);
    KeyFiles.writePrivateKey(dir.resolve(ROOT_KEY), rootKeys.getPrivate());
    KeyFiles.writePrivateKey(dir.resolve(CaFiles.CA_KEY), caKeys.getPrivate());
    KeyFiles.writePublic(dir.resolve(CaFiles.ROOT_CERT), Pem.encode(root));
    KeyFiles.writePublic(dir.resolve(CaFiles.CERT_CHAIN), Pem.encode(ca) + Pem.encode(root));
    // ca-cert.pem last: its presence marks a complete set.
    KeyFiles.writePublic(dir.resolve(CaFiles.CA_CERT), Pem.encode(ca));
  }
}
