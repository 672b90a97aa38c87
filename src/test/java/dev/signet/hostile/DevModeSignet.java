package dev.signet.hostile;

import dev.signet.client.SignetClient;
import dev.signet.dev.DevTokens;
import dev.signet.server.SignetServer;
import dev.signet.testing.LoopbackSignet;
import java.io.IOException;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * A real dev-mode Signet on loopback ports chosen by the kernel, with clients that trust its
 * root: the server the hostile tests attack.
 */
final class DevModeSignet implements AutoCloseable {
  final Path dir;
  final SignetServer server;
  final DevTokens tokens;

  private DevModeSignet(Path dir, SignetServer server) throws IOException {
    this.dir = dir;
    this.server = server;
    this.tokens = DevTokens.open(dir);
  }

  static DevModeSignet start(Path dir, String... settings) throws IOException {
    return new DevModeSignet(dir, SignetServer.start(LoopbackSignet.config(dir, settings)));
  }

  /** A token for {@code namespace/serviceAccount} with audience istio-ca. */
  String token(String namespace, String serviceAccount) {
    return tokens.issue(namespace, serviceAccount, List.of("istio-ca"), Duration.ofMinutes(10));
  }

  /** A client without a client certificate. */
  SignetClient client() throws IOException {
    return SignetClient.connect("localhost", server.grpcPort(),
        dir.resolve("root-cert.pem").toFile());
  }

  /** A client presenting {@code chain} (leaf first) with {@code key}. */
  SignetClient client(PrivateKey key, List<X509Certificate> chain) throws IOException {
    return SignetClient.connect("localhost", server.grpcPort(),
        dir.resolve("root-cert.pem").toFile(), key, chain);
  }

  @Override
  public void close() {
    server.close();
  }
}
