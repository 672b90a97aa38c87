package dev.signet.vault;

import dev.signet.pki.Pem;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/** An SSL context that trusts exactly the certificates of one PEM bundle (Vault's CA). */
final class TrustFiles {
  private TrustFiles() {}

  static SSLContext sslContext(Path pemBundle) {
    try {
      List<X509Certificate> certs = Pem.certificates(
          Files.readString(pemBundle, StandardCharsets.US_ASCII));
      if (certs.isEmpty()) {
        throw new IllegalArgumentException("ca.vault.ca-file " + pemBundle
            + " holds no certificate");
      }
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      for (int i = 0; i < certs.size(); i++) {
        store.setCertificateEntry("vault-ca-" + i, certs.get(i));
      }
      TrustManagerFactory tmf = TrustManagerFactory.getInstance(
          TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(store);
      SSLContext ctx = SSLContext.getInstance("TLS");
      ctx.init(null, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new IllegalArgumentException("ca.vault.ca-file " + pemBundle + " is not usable: "
          + e.getMessage(), e);
    }
  }
}
