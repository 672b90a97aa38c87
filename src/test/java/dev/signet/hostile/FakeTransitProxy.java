package dev.signet.hostile;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonArray;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A fake in front of a real Vault: an HTTP server on loopback that passes every request on to
 * Vault and its answer back unchanged, except one: in the first Transit {@code sign} answer for a
 * batch of two or more inputs, the first {@code batch_results} item is replaced by a JSON string,
 * a malformed item. A real Vault never answers that way, so no real Vault can show what Signet
 * does with it; everything else the test sees is the real Vault's.
 */
final class FakeTransitProxy implements AutoCloseable {
  private final HttpServer server;
  private final String vault;
  private final HttpClient http = HttpClient.newHttpClient();
  private final AtomicInteger corrupted = new AtomicInteger();

  /** A proxy for the Vault at {@code vaultAddress} ({@code http://host:port}). */
  FakeTransitProxy(String vaultAddress) throws IOException {
    this.vault = vaultAddress;
    this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.setExecutor(Executors.newFixedThreadPool(8));
    server.createContext("/", this::forward);
    server.start();
  }

  /** {@code http://127.0.0.1:port}. */
  String address() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  /** How many answers were corrupted (0 or 1). */
  int corrupted() {
    return corrupted.get();
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(vault
              + exchange.getRequestURI()))
          .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      String token = exchange.getRequestHeaders().getFirst("X-Vault-Token");
      if (token != null) {
        b.header("X-Vault-Token", token);
      }
      HttpResponse<byte[]> answer;
      try {
        answer = http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        exchange.sendResponseHeaders(502, -1);
        return;
      }
      byte[] out = answer.body();
      if (exchange.getRequestURI().getPath().startsWith("/v1/transit/sign/")
          && answer.statusCode() == 200 && batchSize(body) >= 2
          && corrupted.compareAndSet(0, 1)) {
        out = corruptFirstItem(out);
      }
      exchange.getResponseHeaders().set("Content-Type", "application/json");
      exchange.sendResponseHeaders(answer.statusCode(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream os = exchange.getResponseBody()) {
          os.write(out);
        }
      }
    }
  }

  private static int batchSize(byte[] request) {
    JsonValue inputs = Json.parse(new String(request, StandardCharsets.UTF_8)).asObject()
        .get("batch_input");
    return inputs == null || !inputs.isArray() ? 0 : inputs.asArray().size();
  }

  private static byte[] corruptFirstItem(byte[] answer) {
    JsonObject o = Json.parse(new String(answer, StandardCharsets.UTF_8)).asObject();
    JsonArray results = o.get("data").asObject().get("batch_results").asArray();
    results.set(0, Json.value("not an object"));
    return o.toString().getBytes(StandardCharsets.UTF_8);
  }

  @Override
  public void close() {
    server.stop(0);
    ((java.util.concurrent.ExecutorService) server.getExecutor()).shutdownNow();
  }
}
