package dev.signet.testing;

import io.github.jopenlibs.vault.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Vault (the {@code vault} binary from {@code .ci/tools/vault.sh}, SIGNET_VAULT) as a
 * local process on 127.0.0.1 at a free port, kept for what a container cannot give:
 * <ul>
 *   <li>{@link #stop()} and {@link #restart()} on the same port with the same data, a real
 *       outage and recovery: unlike {@code -dev} mode it keeps its data in a temporary
 *       directory (file storage), initialised with one unseal key, so keys, secrets and tokens
 *       survive (a container's mapped port changes when it is started again, and the dev-mode
 *       image keeps its data in memory);</li>
 *   <li>calls from Vault back to a peer on this host's loopback, such as Kubernetes auth
 *       reviewing tokens at the tests' kube-apiserver on 127.0.0.1.</li>
 * </ul>
 * Everything else uses {@link VaultContainerServer}. KV v2 is mounted at {@code secret/} and
 * Transit at {@code transit/}, as there. Stopped and deleted by {@link #close()}.
 */
public final class VaultTestServer implements VaultServer {
  private static final Duration START_LIMIT = Duration.ofSeconds(60);

  private final Path binary;
  private final Path dir;
  private final int port;
  private final VaultHttp http = new VaultHttp();
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
      s.root("POST", "sys/mounts/transit", "{\"type\":\"transit\"}");
      return s;
    } catch (IOException | RuntimeException e) {
      s.close();
      throw e;
    }
  }

  /** {@code http://127.0.0.1:<port>}. */
  @Override
  public String address() {
    return "http://127.0.0.1:" + port;
  }

  @Override
  public String rootToken() {
    return rootToken;
  }

  /** The server's own binary, which is also the CLI. */
  @Override
  public Path cli() {
    return binary;
  }

  /** Kills the server (an outage); its data stays. */
  @Override
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

  @Override
  public JsonObject call(String method, String path, String jsonBody, String token) {
    return http.call(address(), method, path, jsonBody, token);
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
    // Any answer (sealed or not): the listener is up.
    while (!http.answers(address())) {
      if (!process.isAlive() || System.nanoTime() > deadline) {
        throw new IOException("vault did not start on port " + port + "; see "
            + dir.resolve("vault.log") + ":\n" + tail());
      }
      Poll.pause();
    }
  }

  private void unseal() {
    call("PUT", "sys/unseal", "{\"key\":" + VaultServer.quote(unsealKey) + "}", null);
  }

  /** Waits until /v1/sys/health says initialised, unsealed and active (HTTP 200). */
  private void waitReady() throws IOException {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (!http.health(address(), 200)) {
      if (System.nanoTime() > deadline) {
        throw new IOException("vault on port " + port + " did not become active:\n" + tail());
      }
      Poll.pause();
    }
  }

  private String tail() {
    try {
      String log = Files.readString(dir.resolve("vault.log"));
      return log.length() > 2000 ? log.substring(log.length() - 2000) : log;
    } catch (IOException e) {
      return "(no log)";
    }
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
