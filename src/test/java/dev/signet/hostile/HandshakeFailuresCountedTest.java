package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.Poll;
import io.grpc.ManagedChannel;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: connections that never complete their TLS and HTTP/2 handshakes are counted
 * ({@code signet_grpc_connections_total{handshake="failed"}}, which the alert
 * SignetTlsHandshakeFailures watches), apart from established ones, and established connections
 * are a gauge that falls back when they close.
 */
class HandshakeFailuresCountedTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void failedHandshakesAreCountedApartFromEstablishedConnections(@TempDir Path dir)
      throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir,
        "server.connections.handshake-timeout=1s")) {
      ManagedChannel legit = signet.channelFrom("127.0.0.1");
      HostileSignet.call(legit, "shop", "cart", signet.token("shop", "cart"));
      assertThat(failed(signet)).isZero();
      assertThat(completed(signet)).isEqualTo(1);
      assertThat(open(signet)).isEqualTo(1);

      // 1. Plaintext HTTP/2, as a client with TLS turned off sends it.
      try (Socket plain = connect(signet)) {
        OutputStream out = plain.getOutputStream();
        out.write("PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
        assertThat(drain(plain.getInputStream())).isEqualTo(-1);
      }
      Poll.until(() -> failed(signet) == 1, WAIT, "the plaintext client counted");

      // 2. TLS with no cipher suite in common (CBC, which Signet's HTTP/2 server never offers).
      try (SSLSocket tls = (SSLSocket) tlsTrusting(dir).getSocketFactory()
          .createSocket("127.0.0.1", signet.grpcPort())) {
        tls.setEnabledProtocols(new String[] {"TLSv1.2"});
        tls.setEnabledCipherSuites(new String[] {"TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
            "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"});
        tls.setSoTimeout((int) WAIT.toMillis());
        assertThatThrownBy(tls::startHandshake).isInstanceOf(SSLHandshakeException.class);
      }
      Poll.until(() -> failed(signet) == 2, WAIT, "the client without a common cipher counted");

      // 3. TCP connected, nothing sent: cut off at the handshake timeout.
      try (Socket stalled = connect(signet)) {
        assertThat(drain(stalled.getInputStream())).isEqualTo(-1);
      }
      Poll.until(() -> failed(signet) == 3, WAIT, "the stalled client counted");

      // 4. TLS completed but never an HTTP/2 preface: not established either.
      try (SSLSocket mute = (SSLSocket) tlsTrusting(dir).getSocketFactory()
          .createSocket("127.0.0.1", signet.grpcPort())) {
        mute.setSoTimeout((int) WAIT.toMillis());
        mute.startHandshake();
        assertThat(drain(mute.getInputStream())).isEqualTo(-1);
      }
      Poll.until(() -> failed(signet) == 4, WAIT, "the client that sent no HTTP/2 counted");

      assertThat(completed(signet)).as("none of them was established").isEqualTo(1);
      assertThat(signet.server.registry().scrape())
          .contains("signet_grpc_connections_total{handshake=\"failed\"} 4.0")
          .contains("signet_grpc_connections_total{handshake=\"completed\"} 1.0")
          .contains("signet_grpc_connections_open 1.0");

      legit.shutdownNow();
      Poll.until(() -> open(signet) == 0, WAIT, "the closed connection leaves the gauge");
      assertThat(failed(signet)).isEqualTo(4);
    }
  }

  private static Socket connect(HostileSignet signet) throws Exception {
    Socket s = new Socket();
    s.connect(new InetSocketAddress("127.0.0.1", signet.grpcPort()));
    s.setSoTimeout((int) WAIT.toMillis());
    return s;
  }

  /** Reads until the server closes (-1), or returns the timeout's exception. */
  private static int drain(InputStream in) throws Exception {
    byte[] buf = new byte[4096];
    int n;
    while ((n = in.read(buf)) > 0) {
      // discard: a TLS alert or GOAWAY may precede the close
    }
    return n;
  }

  private static SSLContext tlsTrusting(Path dir) throws Exception {
    return KubeTestCluster.sslTrusting(Files.readString(dir.resolve("root-cert.pem")));
  }

  private static double failed(HostileSignet signet) {
    return signet.count("signet.grpc.connections", "handshake", "failed");
  }

  private static double completed(HostileSignet signet) {
    return signet.count("signet.grpc.connections", "handshake", "completed");
  }

  private static double open(HostileSignet signet) {
    return signet.server.registry().get("signet.grpc.connections.open").gauge().value();
  }
}
