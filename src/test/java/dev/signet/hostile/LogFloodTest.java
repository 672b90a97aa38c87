package dev.signet.hostile;

import static dev.signet.testing.RawHttp2Client.HEADERS;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.testing.LogCapture;
import dev.signet.testing.RawHttp2Client;
import dev.signet.testing.RawHttp2Client.Frame;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Collectors;
import java.time.Duration;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * An unauthenticated client cannot flood the logs (issue 12, item 6): a client's mistake never
 * logs a stack trace, and each kind of refusal logs at most one line per interval however often
 * it is repeated.
 */
class LogFloodTest {
  private static final Duration WAIT = Duration.ofSeconds(20);

  @Test
  void oversizedMessagesLogNoStackTraceAndAtMostOneLine(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir);
        LogCapture log = LogCapture.of("");
        RawHttp2Client attacker = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.2")) {
      int calls = 20;
      for (int i = 0; i < calls; i++) {
        int stream = attacker.openCall(HostileSignet.CREATE_CERTIFICATE, false);
        attacker.sendMessage(stream, 300 * 1024, true);
        attacker.flush();
        Frame f;
        do {
          f = attacker.await(WAIT, HEADERS, RawHttp2Client.RST_STREAM);
          assertThat(f).isNotSameAs(RawHttp2Client.CLOSED);
        } while (f.streamId() != stream
            || (f.type() == HEADERS && !f.headers().contains("grpc-status")));
        if (f.type() == HEADERS) {
          assertThat(f.headers().get("grpc-status").toString()).isEqualTo("8");
        }
      }
      assertThat(assertQuiet(log.records(), "io.grpc"))
          .containsEntry("io.grpc.netty.NettyServerStream", 1L);
    }
  }

  @Test
  void connectionsCutOffForTooManyResetsLogAtMostOneLine(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir, "server.connections.max-resets=20");
        LogCapture log = LogCapture.of("")) {
      for (int c = 0; c < 5; c++) {
        try (RawHttp2Client attacker = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.2")) {
          Frame f;
          for (int i = 0; i < 100 && attacker.open(); i++) {
            attacker.reset(attacker.openCall(HostileSignet.CREATE_CERTIFICATE, false));
            attacker.flush();
          }
          // GOAWAY, then the server closes the connection and grpc-netty logs "Transport
          // failed". (Resets still in flight when it closes can make the TCP stack drop the
          // unread GOAWAY: then only the close is seen. Either way the connection was cut off.)
          f = attacker.await(WAIT, RawHttp2Client.GOAWAY);
          if (f != RawHttp2Client.CLOSED) {
            assertThat(f.errorCode()).isEqualTo(0xbL); // ENHANCE_YOUR_CALM
            assertThat(attacker.await(WAIT, RawHttp2Client.GOAWAY))
                .isSameAs(RawHttp2Client.CLOSED);
          }
        } catch (java.net.SocketException cutOffWhileSending) {
          // The server closed the connection before the last reset went out: the same outcome.
        }
      }
      assertThat(signet.legitimateCertificate()).hasSizeGreaterThanOrEqualTo(2);
      // Five cut-offs, no stack trace and at most one line (the limiter is per process: an
      // earlier test's cut-off within the interval may have used this interval's line).
      assertQuiet(log.records(), "io.grpc");
    }
  }

  @Test
  void backendFailuresLogOneLineWithoutStackTrace(@TempDir Path dir) throws Exception {
    // An API server that is not there: every TokenReview fails, every request is UNAVAILABLE.
    Path kubeconfig = dir.resolve("kubeconfig");
    Files.writeString(kubeconfig, """
        apiVersion: v1
        kind: Config
        clusters: [{name: gone, cluster: {server: "https://127.0.0.1:1", insecure-skip-tls-verify: true}}]
        users: [{name: signet, user: {token: not-a-secret}}]
        contexts: [{name: gone, context: {cluster: gone, user: signet}}]
        current-context: gone
        """);
    try (HostileSignet signet = HostileSignet.start(dir, "auth.kind=tokenreview",
            "kubernetes.kubeconfig=" + kubeconfig);
        LogCapture log = LogCapture.of("")) {
      for (int i = 0; i < 10; i++) {
        assertThatThrownBy(signet::legitimateCertificate)
            .isInstanceOfSatisfying(StatusRuntimeException.class,
                e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE));
      }
      // Said once, not ten times: the backend's failure, and the refusals in the audit log.
      assertThat(assertQuiet(log.records(), "")).containsEntry(
          "dev.signet.grpc.StatusMapper", 1L).containsEntry("signet.audit", 1L);
    }
  }

  /** No stack trace at all, and at most one line at INFO or above from each logger. */
  private static Map<String, Long> assertQuiet(List<LogRecord> records, String prefix) {
    assertThat(records).allSatisfy(r -> assertThat(r.getThrown())
        .as("%s %s", r.getLoggerName(), r.getMessage()).isNull());
    Map<String, Long> lines = records.stream()
        .filter(r -> r.getLoggerName() != null && r.getLoggerName().startsWith(prefix))
        .filter(r -> r.getLevel().intValue() >= Level.INFO.intValue())
        .collect(Collectors.groupingBy(LogRecord::getLoggerName, Collectors.counting()));
    assertThat(lines).allSatisfy((logger, n) -> assertThat(n).as(logger).isLessThanOrEqualTo(1));
    return lines;
  }
}
