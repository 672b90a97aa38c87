package dev.signet.testing;

import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Vault-compatible server (the {@code vault} binary from {@code .ci/tools/vault.sh}) on
 * 127.0.0.1 at a free port, for tests. Unlike {@code -dev} mode it keeps its data in a temporary
 * directory (file storage), initialised with one unseal key, so {@link #stop()} and
 * {@link #restart()} on the same port model a real outage: keys, secrets and tokens survive.
 * A KV v2 engine is mounted at {@code secret/} as in dev mode. Stopped and deleted by
 * {@link #close()}.
 */
public final class VaultTestServer implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  private final Path binary;
  private final Path dir;
  private final int port;
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();
  private Process process;
  private String unsealKey;
  private String rootToken;

  private VaultTestServer(Path binary, Path dir, int port) {
    this.binary = binary;
    this.dir = dir;
    this.port = port;
  }

  /** Starts, initialises and unseals a fresh server. */
  public static VaultTestServer start() throws IOException {
    Path binary = TestTools.require("SIGNET_VAULT", "vault.sh");
    Path dir = Files.createTempDirectory("signet-vault-");
    VaultTestServer s = new VaultTestServer(binary, dir, freePort());
    Files.writeString(dir.resolve("config.hcl"), """
        storage "file" {
          path = "%s"
        }
        listener "tcp" {
          address     = "127.0.0.1:%d"
          tls_disable = true
        }
        disable_mlock = true
        api_addr      = "http://127.0.0.1:%d"
        ui            = false
        """.formatted(dir.resolve("data"), s.port, s.port));
    try {
      s.launch();
      JsonObject init = s.call("PUT", "sys/init",
          "{\"secret_shares\":1,\"secret_threshold\":1}", null);
      s.unsealKey = init.get("keys_base64").asArray().get(0).asString();
      s.rootToken = init.getString("root_token", "");
      s.unseal();
      s.waitReady();
      s.root("POST", "sys/mounts/secret", "{\"type\":\"kv\",\"options\":{\"version\":\"2\"}}");
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  public String address() {
    return "http://127.0.0.1:" + port;
  }

  /** The root token, for setting the server up (Signet itself gets a least-privilege token). */
  public String rootToken() {
    return rootToken;
  }

  /** The binary, for running the CLI ({@code VAULT_ADDR}/{@code VAULT_TOKEN} in its env). */
  public Path binary() {
    return binary;
  }

  /** Kills the server (an outage); its data stays. */
  public void stop() {
    if (process != null) {
      process.destroyForcibly();
      try {
        process.waitFor(20, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      process = null;
    }
  }

  /** Starts the stopped server again on the same port and unseals it. */
  public void restart() throws IOException {
    stop();
    launch();
    unseal();
    waitReady();
  }

  /** A call with the root token; the parsed answer (empty for 204). */
  public JsonObject root(String method, String path, String jsonBody) {
    return call(method, path, jsonBody, rootToken);
  }

  /** A call with {@code token}; fails on any non-2xx answer with Vault's errors. */
  public JsonObject call(String method, String path, String jsonBody, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(address() + "/v1/" + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(jsonBody));
    if (token != null) {
      b.header("X-Vault-Token", token);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(method + " " + path + " -> HTTP " + r.statusCode()
            + ": " + r.body());
      }
      return r.body().isBlank() ? new JsonObject() : Json.parse(r.body()).asObject();
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** A JSON string literal. */
  public static String quote(String s) {
    return Json.value(s).toString();
  }

  /** The {@code data} object of an answer. */
  public static JsonObject data(JsonObject answer) {
    JsonValue d = answer.get("data");
    return d == null ? new JsonObject() : d.asObject();
  }

  private void launch() throws IOException {
    ProcessBuilder pb = new ProcessBuilder(binary.toString(), "server",
        "-config=" + dir.resolve("config.hcl"), "-log-level=warn")
        .redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("vault.log").toFile()));
    pb.environment().remove("VAULT_ADDR");
    pb.environment().remove("VAULT_TOKEN");
    process = pb.start();
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (true) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(address() + "/v1/sys/health")).timeout(Duration.ofSeconds(2)).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() > 0) {
          return; // answering (sealed or not): the listener is up
        }
      } catch (IOException e) {
        // not listening yet
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IOException("vault did not start on port " + port + "; see "
            + dir.resolve("vault.log") + ":\n" + tail());
      }
      pause();
    }
  }

  private void unseal() {
    call("PUT", "sys/unseal", "{\"key\":" + quote(unsealKey) + "}", null);
  }

  /** Waits until /v1/sys/health says initialised, unsealed and active (HTTP 200). */
  private void waitReady() throws IOException {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (System.nanoTime() < deadline) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(address() + "/v1/sys/health")).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() == 200) {
          return;
        }
      } catch (IOException e) {
        // retry
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted", e);
      }
      pause();
    }
    throw new IOException("vault on port " + port + " did not become active:\n" + tail());
  }

  private String tail() {
    try {
      String log = Files.readString(dir.resolve("vault.log"));
      return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    } catch (IOException e) {
      return "(no log)";
    }
  }

  /** Polling interval of the start-up loops (a poll with a deadline, not synchronisation). */
  private static void pause() {
    java.util.concurrent.locks.LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(50));
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  @Override
  public void close() {
    stop();
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // best effort: a temp directory
    }
  }
}
