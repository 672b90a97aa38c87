package dev.signet.testing;

import io.github.jopenlibs.vault.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.stream.Stream;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.vault.VaultContainer;

/**
 * A real Vault in a container (Testcontainers' Vault module, dev mode: data in memory, KV v2 at
 * {@code secret/}), with Transit enabled at {@code transit/} by the module's init command (a
 * {@code vault} command run by {@code /bin/sh} in the container). The image is
 * {@code hashicorp/vault:1.21.0}, or SIGNET_VAULT_IMAGE: CI builds it locally from the binary of
 * {@code .ci/tools/vault.sh} ({@code .ci/tools/vault-image.sh}: FROM scratch, nothing pulled); a
 * developer with Docker Desktop pulls the public image of that name. Without a Docker engine
 * the test fails under {@code CI=true} and is aborted elsewhere ({@link TestTools#missing}).
 */
public final class VaultContainerServer implements VaultServer {
  private static final String DEFAULT_IMAGE = "hashicorp/vault:1.21.0";
  private static final String ROOT_TOKEN = "signet-test-root";

  private final VaultContainer<?> container;
  private final String address;
  private final VaultHttp http = new VaultHttp();
  private Path cliDir;

  private VaultContainerServer(VaultContainer<?> container) {
    this.container = container;
    this.address = container.getHttpHostAddress();
  }

  /** Starts a fresh container and waits until Vault is active with Transit mounted. */
  @SuppressWarnings("resource") // closed by close()
  public static VaultContainerServer start() {
    if (!DockerClientFactory.instance().isDockerAvailable()) {
      return TestTools.missing("no Docker engine for Testcontainers (DOCKER_HOST="
          + System.getenv("DOCKER_HOST") + "); start one with"
          + " 'export DOCKER_HOST=$(bash .ci/tools/docker.sh)'");
    }
    String name = System.getenv().getOrDefault("SIGNET_VAULT_IMAGE", DEFAULT_IMAGE);
    VaultContainer<?> c = new VaultContainer<>(DockerImageName.parse(name)
        .asCompatibleSubstituteFor("hashicorp/vault"))
        .withVaultToken(ROOT_TOKEN)
        .withInitCommand("secrets enable transit");
    c.start();
    VaultContainerServer s = new VaultContainerServer(c);
    // The module only logs a failed init command: check its effect.
    if (s.root("GET", "sys/mounts", null).get("transit/") == null) {
      s.close();
      throw new IllegalStateException("the init command did not mount transit/ in " + name
          + ":\n" + c.getLogs());
    }
    return s;
  }

  /** {@code http://<Testcontainers' host>:<mapped port>} (localhost with CI's settings). */
  @Override
  public String address() {
    return address;
  }

  @Override
  public String rootToken() {
    return ROOT_TOKEN;
  }

  /**
   * SIGNET_VAULT when set, else the image's own {@code /bin/vault} copied out of the container
   * (a Linux binary: elsewhere, set SIGNET_VAULT to a {@code vault} CLI for this host).
   */
  @Override
  public synchronized Path cli() {
    String local = System.getenv("SIGNET_VAULT");
    if (local != null && !local.isBlank() && Files.isExecutable(Path.of(local))) {
      return Path.of(local);
    }
    try {
      if (cliDir == null) {
        cliDir = Files.createTempDirectory("signet-vault-cli-");
        container.copyFileFromContainer("/bin/vault", cliDir.resolve("vault").toString());
        if (!cliDir.resolve("vault").toFile().setExecutable(true)) {
          throw new IOException("cannot make the copied vault CLI executable");
        }
      }
      return cliDir.resolve("vault");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops and removes the container: its port no longer answers. */
  @Override
  public void stop() {
    container.stop();
  }

  @Override
  public JsonObject call(String method, String path, String jsonBody, String token) {
    return http.call(address, method, path, jsonBody, token);
  }

  @Override
  public void close() {
    container.stop();
    if (cliDir != null) {
      try (Stream<Path> files = Files.walk(cliDir)) {
        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
      } catch (IOException e) {
        // best effort: a temp directory
      }
    }
  }
}
