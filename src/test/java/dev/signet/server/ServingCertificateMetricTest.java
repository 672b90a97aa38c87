package dev.signet.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code signet_serving_certificate_expiry_timestamp_seconds} on /metrics is the NotAfter of the
 * certificate a TLS client is really served (the alert on a renewal that keeps failing uses it).
 */
class ServingCertificateMetricTest {
  private static final Pattern GAUGE = Pattern.compile(
      "(?m)^signet_serving_certificate_expiry_timestamp_seconds(?:\\{[^}]*})? (\\S+)$");

  @Test
  void exportsTheNotAfterOfTheServedCertificate(@TempDir Path dir) throws Exception {
    try (RunningSignet signet = RunningSignet.start(dir, "server.serving-cert-ttl=2h")) {
      X509Certificate served = servedCertificate(dir.resolve("root-cert.pem"),
          signet.server.grpcPort());
      Matcher m = GAUGE.matcher(signet.admin("/metrics").body());
      assertThat(m.find()).as("the gauge is on /metrics").isTrue();
      long exported = (long) Double.parseDouble(m.group(1));
      assertThat(exported).isEqualTo(served.getNotAfter().toInstant().getEpochSecond());
      assertThat(Instant.ofEpochSecond(exported))
          .isBetween(Instant.now().plus(Duration.ofMinutes(110)), Instant.now().plus(Duration.ofHours(2)));
    }
  }

  private static X509Certificate servedCertificate(Path root, int port) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (X509Certificate c : Pem.certificates(Files.readString(root))) {
      trust.setCertificateEntry("root-" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    try (SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket("127.0.0.1", port)) {
      s.startHandshake();
      return (X509Certificate) s.getSession().getPeerCertificates()[0];
    }
  }
}
