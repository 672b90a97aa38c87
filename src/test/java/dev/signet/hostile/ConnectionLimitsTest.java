package dev.signet.hostile;

import static dev.signet.testing.RawHttp2Client.GOAWAY;
import static dev.signet.testing.RawHttp2Client.HEADERS;
import static dev.signet.testing.RawHttp2Client.RST_STREAM;
import static dev.signet.testing.RawHttp2Client.SETTINGS;
import static dev.signet.testing.RawHttp2Client.SETTINGS_MAX_CONCURRENT_STREAMS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.testing.RawHttp2Client;
import dev.signet.testing.RawHttp2Client.Frame;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What one unauthenticated gRPC client may hold: streams per connection, streams that never send
 * their request, stream resets, idle and old connections, stalled handshakes (issue 12, items 1,
 * 4 and 5). Each attack runs on raw HTTP/2 frames; a legitimate caller is served throughout.
 */
class ConnectionLimitsTest {
  private static final Duration WAIT = Duration.ofSeconds(20);
  private static final long REFUSED_STREAM = 0x7;
  private static final long ENHANCE_YOUR_CALM = 0xb;

  @Test
  void headersOnlyStreamsAreCappedPerConnectionAndClosedAtTheRequestTimeout(@TempDir Path dir)
      throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir,
            "server.connections.request-timeout=1s");
        RawHttp2Client attacker = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.2")) {
      Frame settings = attacker.await(WAIT, SETTINGS);
      assertThat(settings.setting(SETTINGS_MAX_CONCURRENT_STREAMS)).isEqualTo(100);

      Set<Integer> open = new HashSet<>();
      for (int i = 0; i < 100; i++) {
        open.add(attacker.openCall(HostileSignet.CREATE_CERTIFICATE, false));
      }
      int oneTooMany = attacker.openCall(HostileSignet.CREATE_CERTIFICATE, false);
      attacker.flush();

      Frame refused = attacker.await(WAIT, RST_STREAM);
      assertThat(refused.streamId()).isEqualTo(oneTooMany);
      assertThat(refused.errorCode()).isEqualTo(REFUSED_STREAM);
      // Served while the attacker holds every stream it may have.
      assertThat(signet.legitimateCertificate()).hasSizeGreaterThanOrEqualTo(2);

      // Every stream that never sent its request is closed: DEADLINE_EXCEEDED (grpc-status 4).
      Set<Integer> closed = new HashSet<>();
      while (closed.size() < open.size()) {
        Frame f = attacker.await(WAIT, HEADERS);
        assertThat(f).isNotSameAs(RawHttp2Client.CLOSED);
        if (f.headers().contains("grpc-status")) {
          assertThat(f.headers().get("grpc-status").toString()).isEqualTo("4");
          assertThat(f.headers().get("grpc-message").toString()).contains("did not arrive");
          closed.add(f.streamId());
        }
      }
      assertThat(closed).isEqualTo(open);
      assertThat(signet.count("signet.grpc.calls.refused", "reason", "request_timeout"))
          .isEqualTo(100);
    }
  }

  @Test
  void aClientThatKeepsTimedOutStreamsOpenIsRefusedThenSentGoaway(@TempDir Path dir)
      throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir,
            "server.connections.request-timeout=1s", "server.connections.max-resets=50");
        RawHttp2Client attacker = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.2")) {
      attacker.await(WAIT, SETTINGS);
      for (int i = 0; i < 100; i++) {
        attacker.openCall(HostileSignet.CREATE_CERTIFICATE, false);
      }
      attacker.flush();
      for (int closed = 0; closed < 100; ) {
        Frame f = attacker.await(WAIT, HEADERS);
        assertThat(f).isNotSameAs(RawHttp2Client.CLOSED);
        closed += f.headers().contains("grpc-status") ? 1 : 0;
      }
      // The server's answer ended each stream on its side; the client never ended its side, so
      // each stream keeps its slot (RFC 9113, half-closed) and every new stream is refused. The
      // refusals are resets too: past the reset budget the connection is told to go away.
      int refusals = 0;
      Frame f = null;
      try {
        for (int i = 0; i < 200 && attacker.open(); i++) {
          attacker.openCall(HostileSignet.CREATE_CERTIFICATE, false);
          attacker.flush();
          f = attacker.await(WAIT, RST_STREAM, GOAWAY);
          if (f.type() != RST_STREAM) {
            break;
          }
          assertThat(f.errorCode()).isEqualTo(REFUSED_STREAM);
          refusals++;
        }
      } catch (java.net.SocketException cutOff) {
        // Closed right after its GOAWAY, which the reader has queued: read below.
      }
      if (f == null || f.type() != GOAWAY) {
        f = attacker.await(WAIT, GOAWAY);
      }
      // GOAWAY(ENHANCE_YOUR_CALM), then the close. A stream the client opened after the last
      // refusal can make the TCP stack drop the unread GOAWAY once the server has closed: then
      // only the close is seen, right after the budget's worth of refusals.
      if (f != RawHttp2Client.CLOSED) {
        assertThat(f.type()).isEqualTo(GOAWAY);
        assertThat(f.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
      }
      assertThat(refusals).isBetween(45, 51);
      assertThat(attacker.await(WAIT, -1)).isSameAs(RawHttp2Client.CLOSED);
      assertThat(signet.legitimateCertificate()).hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void pingsFifteenSecondsApartKeepAnIdleConnectionAndAPingFloodGetsGoaway(@TempDir Path dir)
      throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir);
        RawHttp2Client idle = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.2");
        RawHttp2Client flood = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.3")) {
      // Pings back to back: after a few strikes the server says too many pings and goes away.
      Frame goaway = null;
      try {
        for (int i = 0; i < 20 && goaway == null && flood.open(); i++) {
          flood.ping(i);
          flood.flush();
          Frame f = flood.await(WAIT, RawHttp2Client.PING, GOAWAY);
          goaway = f.type() == GOAWAY ? f : null;
        }
      } catch (java.net.SocketException cutOff) {
        // Closed right after its GOAWAY, which the reader has queued: read below.
      }
      if (goaway == null) {
        goaway = flood.await(WAIT, GOAWAY);
      }
      assertThat(goaway.type()).isEqualTo(GOAWAY);
      assertThat(goaway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
      // A connection without calls pinged at istiod's permitted pace (grpc-java's default
      // policy would count each of these as a strike and go away at the third).
      for (int i = 0; i < 3; i++) {
        if (i > 0) {
          Thread.sleep(15_500); // the client's pace is what is tested, not a synchronisation
        }
        idle.ping(i);
        idle.flush();
        Frame ack = idle.await(WAIT, RawHttp2Client.PING, GOAWAY);
        assertThat(ack.type()).as("answer to ping %d", i).isEqualTo(RawHttp2Client.PING);
        assertThat(ack.flags() & 0x1).isEqualTo(1);
      }
      // Still served: a call on it is answered (a policy that counted those pings as strikes
      // would have acknowledged the last one and then sent GOAWAY).
      int stream = idle.openCall(HostileSignet.CREATE_CERTIFICATE, true);
      idle.flush();
      Frame answer;
      do {
        answer = idle.await(WAIT, HEADERS, RST_STREAM, GOAWAY);
      } while (answer.type() == HEADERS && !answer.headers().contains("grpc-status"));
      assertThat(answer.type()).isEqualTo(HEADERS);
      assertThat(answer.streamId()).isEqualTo(stream);
    }
  }

  @Test
  void aMessageWithoutEndOfStreamIsClosedAtTheRequestTimeout(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir,
            "server.connections.request-timeout=1s");
        RawHttp2Client attacker = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.2")) {
      int stream = attacker.openCall(HostileSignet.CREATE_CERTIFICATE, false);
      attacker.sendMessage(stream, 10, false);
      attacker.flush();
      Frame f;
      do {
        f = attacker.await(WAIT, HEADERS);
      } while (f != RawHttp2Client.CLOSED && !f.headers().contains("grpc-status"));
      assertThat(f.streamId()).isEqualTo(stream);
      assertThat(f.headers().get("grpc-status").toString()).isEqualTo("4");
    }
  }

  @Test
  void aFloodOfStreamResetsGetsGoaway(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir,
            "server.connections.max-resets=50", "server.connections.reset-window=10s");
        RawHttp2Client attacker = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.2")) {
      attacker.await(WAIT, SETTINGS);
      try {
        for (int i = 0; i < 200 && attacker.open(); i++) {
          int stream = attacker.openCall(HostileSignet.CREATE_CERTIFICATE, false);
          attacker.reset(stream);
          attacker.flush();
        }
      } catch (java.net.SocketException closedByServer) {
        // Expected once the server has had enough: what it sent before closing is read below.
      }
      Frame goaway = attacker.await(WAIT, GOAWAY);
      assertThat(goaway).isNotSameAs(RawHttp2Client.CLOSED);
      assertThat(goaway.errorCode()).isEqualTo(ENHANCE_YOUR_CALM);
      assertThat(attacker.await(WAIT, -1)).isSameAs(RawHttp2Client.CLOSED);
      assertThat(signet.legitimateCertificate()).hasSizeGreaterThanOrEqualTo(2);
    }
  }

  @Test
  void anIdleConnectionIsClosed(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir, "server.connections.max-idle=1s");
        RawHttp2Client idle = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.2")) {
      Frame goaway = idle.await(WAIT, GOAWAY);
      assertThat(goaway).isNotSameAs(RawHttp2Client.CLOSED);
      assertThat(idle.await(WAIT, -1)).isSameAs(RawHttp2Client.CLOSED);
    }
  }

  @Test
  void aBusyConnectionIsClosedAtItsMaximumAgeAfterTheGrace(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir, "server.connections.max-age=1s",
            "server.connections.max-age-grace=1s", "server.connections.request-timeout=60s");
        RawHttp2Client busy = RawHttp2Client.connect(signet.grpcPort(), "127.0.0.2")) {
      busy.openCall(HostileSignet.CREATE_CERTIFICATE, false);
      busy.flush();
      Frame goaway = busy.await(WAIT, GOAWAY);
      assertThat(goaway).isNotSameAs(RawHttp2Client.CLOSED);
      assertThat(busy.await(WAIT, -1)).isSameAs(RawHttp2Client.CLOSED);
    }
  }

  @Test
  void aStalledTlsHandshakeIsCutOff(@TempDir Path dir) throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir,
            "server.connections.handshake-timeout=1s");
        Socket stalled = new Socket()) {
      stalled.connect(new InetSocketAddress("127.0.0.1", signet.grpcPort()));
      stalled.setSoTimeout((int) WAIT.toMillis());
      InputStream in = stalled.getInputStream();
      assertThat(in.read()).isEqualTo(-1);
    }
  }
}
