package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * No client can hold the admin port for others (issue 12, item 2): a slow or idle client is cut
 * off at the read timeout and never delays /healthz, /readyz or /metrics for anyone else; one
 * peer cannot take every connection slot; oversized requests are refused.
 */
class AdminPortTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void aPartialRequestLineDoesNotBlockProbesAndIsCutOff(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir, "server.admin.read-timeout=2s");
        Socket slow = connect(signet.adminPort(), "127.0.0.2")) {
      OutputStream out = slow.getOutputStream();
      out.write("GET /heal".getBytes(StandardCharsets.US_ASCII));
      out.flush();
      // Answered at once while the slow client holds its connection open.
      HttpClient http = HttpClient.newBuilder().connectTimeout(WAIT).build();
      for (String path : List.of("/healthz", "/readyz", "/metrics")) {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + signet.adminPort() + path)).timeout(Duration.ofSeconds(2))
            .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(path).isEqualTo(200);
      }
      // The slow client is disconnected once its time is up, however long it would wait.
      assertThat(slow.getInputStream().read()).isEqualTo(-1);
    }
  }

  @Test
  void anIdleKeepAliveConnectionIsClosedAfterItsResponse(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir, "server.admin.read-timeout=1s");
        Socket client = connect(signet.adminPort(), "127.0.0.2")) {
      client.getOutputStream().write(("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      String response = readUntilClosed(client.getInputStream());
      assertThat(response).startsWith("HTTP/1.1 200").contains("ok");
    }
  }

  @Test
  void onePeerCannotTakeEveryConnection(@TempDir Path dir) throws Exception {
    List<Socket> held = new ArrayList<>();
    try (HostileSignet signet = HostileSignet.start(dir,
        "server.admin.max-connections-per-peer=4", "server.admin.read-timeout=30s")) {
      for (int i = 0; i < 4; i++) {
        held.add(connect(signet.adminPort(), "127.0.0.2"));
      }
      try (Socket oneTooMany = connect(signet.adminPort(), "127.0.0.2")) {
        assertThat(oneTooMany.getInputStream().read()).isEqualTo(-1);
      }
      HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
          "http://127.0.0.1:" + signet.adminPort() + "/readyz")).timeout(WAIT).build(),
          HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).isEqualTo(200);
    } finally {
      for (Socket s : held) {
        s.close();
      }
    }
  }

  @Test
  void anOversizedRequestLineIsRefused(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir);
        Socket client = connect(signet.adminPort(), "127.0.0.2")) {
      client.getOutputStream().write(("GET /" + "a".repeat(10_000) + " HTTP/1.1\r\nHost: x\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
      assertThat(readUntilClosed(client.getInputStream())).startsWith("HTTP/1.1 4");
    }
  }

  private static Socket connect(int port, String from) throws Exception {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), (int) WAIT.toMillis());
    s.setSoTimeout((int) WAIT.toMillis());
    return s;
  }

  private static String readUntilClosed(InputStream in) throws Exception {
    return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
  }
}
