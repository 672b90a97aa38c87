package dev.signet.admin;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.signet.concurrent.DaemonThreads;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.function.BooleanSupplier;

/**
 * Plain-HTTP admin port: {@code /metrics} (Prometheus text), {@code /healthz} (the process is up)
 * and {@code /readyz} (a CA is loaded and the gRPC server accepts calls). It carries no secrets,
 * so it needs no TLS; keep it off the mesh's public paths all the same.
 */
public final class AdminServer implements AutoCloseable {
  private final HttpServer http;

  private AdminServer(HttpServer http) {
    this.http = http;
  }

  /** Binds and starts the admin server. */
  public static AdminServer start(String address, int port, PrometheusMeterRegistry registry,
      BooleanSupplier ready) throws IOException {
    HttpServer http = HttpServer.create(new InetSocketAddress(address, port), 64);
    http.createContext("/metrics", ex -> respond(ex, 200,
        "text/plain; version=0.0.4; charset=utf-8", registry.scrape()));
    http.createContext("/healthz", ex -> respond(ex, 200, "text/plain", "ok\n"));
    http.createContext("/readyz", ex -> {
      boolean ok = ready.getAsBoolean();
      respond(ex, ok ? 200 : 503, "text/plain", ok ? "ready\n" : "not ready\n");
    });
    http.setExecutor(Executors.newSingleThreadExecutor(DaemonThreads.named("signet-admin")));
    http.start();
    return new AdminServer(http);
  }

  /** The bound port. */
  public int port() {
    return http.getAddress().getPort();
  }

  private static void respond(HttpExchange ex, int code, String type, String body)
      throws IOException {
    try (ex) {
      if (!ex.getRequestMethod().equals("GET") && !ex.getRequestMethod().equals("HEAD")) {
        ex.sendResponseHeaders(405, -1);
        return;
      }
      byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
      ex.getResponseHeaders().set("Content-Type", type);
      boolean head = ex.getRequestMethod().equals("HEAD");
      ex.sendResponseHeaders(code, head ? -1 : bytes.length);
      if (!head) {
        try (OutputStream out = ex.getResponseBody()) {
          out.write(bytes);
        }
      }
    }
  }

  @Override
  public void close() {
    http.stop(0);
  }
}
