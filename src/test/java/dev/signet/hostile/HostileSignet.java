package dev.signet.hostile;

import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.dev.DevTokens;
import dev.signet.server.SignetServer;
import dev.signet.testing.LoopbackSignet;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real dev-mode Signet on loopback for the hostile-peer tests, and the legitimate caller whose
 * service each attack must not take away.
 */
final class HostileSignet implements AutoCloseable {
  static final String CREATE_CERTIFICATE =
      "/istio.v1.auth.IstioCertificateService/CreateCertificate";

  final Path dir;
  final SignetServer server;
  private final DevTokens tokens;

  private HostileSignet(Path dir, SignetServer server) throws IOException {
    this.dir = dir;
    this.server = server;
    this.tokens = DevTokens.open(dir);
  }

  static HostileSignet start(Path dir, String... settings) throws IOException {
    return new HostileSignet(dir, SignetServer.start(LoopbackSignet.config(dir, settings)));
  }

  int grpcPort() {
    return server.grpcPort();
  }

  int adminPort() {
    return server.adminPort();
  }

  /** A legitimate workload's certificate request, on a connection of its own. */
  List<String> legitimateCertificate() throws IOException {
    try (SignetClient client = SignetClient.connect("localhost", server.grpcPort(),
        dir.resolve("root-cert.pem").toFile())) {
      String token = tokens.issue("shop", "cart", List.of("istio-ca"), Duration.ofMinutes(10));
      return client.createCertificate(CsrBuilder.istioAgent(CsrBuilder.ecP256(),
          "spiffe://cluster.local/ns/shop/sa/cart"), Duration.ofHours(1), token,
          Duration.ofSeconds(10));
    }
  }

  /** A counter's value on the admin port's {@code /metrics}, 0 when absent. */
  double metric(String series) {
    return server.registry().scrape().lines()
        .filter(l -> l.startsWith(series + " "))
        .mapToDouble(l -> Double.parseDouble(l.substring(l.lastIndexOf(' ') + 1)))
        .findFirst().orElse(0);
  }

  @Override
  public void close() {
    server.close();
  }
}
