package dev.signet.server;

import dev.signet.testing.LoopbackSignet;
import dev.signet.client.SignetClient;
import dev.signet.dev.DevTokens;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** A real dev-mode Signet on loopback ports chosen by the kernel, for end-to-end tests. */
final class RunningSignet implements AutoCloseable {
  /** One client, so polling reuses one kept-alive connection (the admin port caps them per peer). */
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  final Path dir;
  final SignetServer server;
  final DevTokens tokens;

  private RunningSignet(Path dir, SignetServer server) throws IOException {
    this.dir = dir;
    this.server = server;
    this.tokens = DevTokens.open(dir);
  }

  static RunningSignet start(Path dir, String... settings) throws IOException {
    return new RunningSignet(dir, SignetServer.start(LoopbackSignet.config(dir, settings)));
  }

  /** A token for ns/sa with audience istio-ca. */
  String token(String namespace, String serviceAccount) {
    return tokens.issue(namespace, serviceAccount, List.of("istio-ca"), Duration.ofMinutes(10));
  }

  SignetClient client() throws IOException {
    return SignetClient.connect("localhost", server.grpcPort(),
        dir.resolve("root-cert.pem").toFile());
  }

  HttpResponse<String> admin(String path) throws IOException, InterruptedException {
    return HTTP.send(HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + server.adminPort() + path)).build(),
        HttpResponse.BodyHandlers.ofString());
  }

  @Override
  public void close() {
    server.close();
  }
}
