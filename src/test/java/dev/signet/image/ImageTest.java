package dev.signet.image;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.cli.Main;
import dev.signet.client.ChainVerifier;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.config.ConfigLoader;
import dev.signet.dev.DevCa;
import dev.signet.dev.DevTokens;
import dev.signet.pki.Pem;
import dev.signet.testing.Docker;
import dev.signet.testing.Poll;
import dev.signet.testing.TestTools;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signet's image (SIGNET_IMAGE, built by {@code .ci/image.sh} from target/signet.jar) run the
 * way the Helm chart runs it: user 10001, read-only root filesystem, writable /tmp only, no
 * capabilities. It serves in dev mode and with Istio's plug-in CA files mounted as a volume,
 * issues certificates to {@code signet request} on the host, loads its classes from the AppCDS
 * archive the first start left in /tmp (a volume here, the pod's emptyDir in the chart), and on
 * SIGTERM finishes a call in flight and exits within the chart's grace period.
 */
class ImageTest {
  private static final Duration START_LIMIT = Duration.ofSeconds(120);
  private static final String CONFIG = "/etc/signet/signet.yaml";
  private static final String ID = "spiffe://cluster.local/ns/demo/sa/web";
  private static Docker docker;
  private static String image;

  @TempDir Path dir;

  @BeforeAll
  static void image() {
    docker = Docker.require();
    image = TestTools.requireValue("SIGNET_IMAGE", ".ci/image.sh");
    docker.ok(SignetContainer.COMMAND_LIMIT, "image", "inspect", image);
  }

  @Test
  void devModeRunsAsItsOwnNonRootUserOnAReadOnlyRoot() throws Exception {
    try (SignetContainer c = SignetContainer.start(docker, image,
        List.of("--tmpfs", "/tmp:rw,exec,size=256m"),
        "serve", "--config", CONFIG, "--dev", "--dev-dir", "/tmp/signet-dev")) {
      c.awaitReady(START_LIMIT);
      Path local = devFiles(c);
      String out = request(c, token(local), local.resolve("root-cert.pem"));
      assertThat(out).contains("identity:   " + ID);
      assertThat(c.logs()).contains("DEV MODE");

      assertThat(c.inspect("{{.HostConfig.ReadonlyRootfs}}")).isEqualTo("true");
      // The server process itself (the launcher execs the JVM as PID 1) is not root.
      assertThat(c.exec("cat", "/proc/1/status").stdout())
          .containsPattern("(?m)^Uid:\\s+10001\\s+10001\\s+10001\\s+10001$")
          .containsPattern("(?m)^Gid:\\s+10001\\s");
      Docker.Result write = c.exec("touch", "/opt/signet/written");
      assertThat(write.exitCode()).isNotZero();
      assertThat(write.stderr()).contains("Read-only file system");
    }
  }

  @Test
  void aFilesCaMountedAsAVolumeSigns() throws Exception {
    Path made = Files.createDirectory(dir.resolve("made"));
    DevCa.ensure(made);
    // What the chart mounts from the cacerts Secret, and a JWKS that checks the dev tokens.
    Path cacerts = Files.createDirectory(dir.resolve("cacerts"));
    for (String f : List.of("ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem")) {
      Files.copy(made.resolve(f), cacerts.resolve(f));
    }
    DevTokens tokens = DevTokens.open(made);
    Path jwks = Files.createDirectory(dir.resolve("jwks"));
    Files.copy(made.resolve(DevTokens.JWKS_FILE), jwks.resolve("jwks.json"));
    readableByAll(cacerts);
    readableByAll(jwks);
    try (SignetContainer c = SignetContainer.start(docker, image, List.of(
        "--tmpfs", "/tmp:rw,exec,size=256m",
        "-v", cacerts + ":/etc/signet/cacerts:ro", "-v", jwks + ":/etc/signet/jwks:ro"),
        "serve", "--config", CONFIG, "--set", "server.dns-names=localhost",
        "--set", "auth.jwt.jwks-file=/etc/signet/jwks/jwks.json",
        "--set", "auth.jwt.issuer=" + ConfigLoader.DEV_ISSUER)) {
      c.awaitReady(START_LIMIT);
      String token = tokens.issue("demo", "web", List.of("istio-ca"), Duration.ofMinutes(10));
      Path out = Files.createDirectory(dir.resolve("out"));
      assertThat(request(c, token, cacerts.resolve("root-cert.pem"), out))
          .contains("identity:   " + ID);
      // Signed by the mounted CA: the chain's second certificate is ca-cert.pem.
      assertThat(Pem.certificates(Files.readString(out.resolve("cert-chain.pem"))).get(1))
          .isEqualTo(Pem.certificates(Files.readString(cacerts.resolve("ca-cert.pem"))).get(0));
      assertThat(c.logs()).doesNotContain("DEV MODE");
    }
  }

  @Test
  void theSecondStartUsesTheAppCdsArchiveAndSigtermFinishesTheCallInFlight() throws Exception {
    String volume = docker.ok(SignetContainer.COMMAND_LIMIT, "volume", "create").strip();
    try {
      long cold;
      try (SignetContainer first = startWithClassLog(volume, 1)) {
        cold = firstCertificate(first);
        first.sigterm();
        assertThat(first.awaitExit(grace())).isIn(0, 143);
      }
      try (SignetContainer second = startWithClassLog(volume, 2)) {
        long warm = firstCertificate(second);
        System.out.printf("image %s: start to first certificate %d ms without the AppCDS"
            + " archive, %d ms with it%n", image, cold, warm);
        assertThat(second.exec("sh", "-c", "ls /tmp/signet-cds/*.jsa").exitCode()).isZero();
        // Classes from the dynamic (top) archive: none on the first start, Signet's on the second.
        String main = "dev.signet.cli.Main source: shared objects file (top)";
        assertThat(second.exec("cat", "/tmp/class-load-1.log").stdout())
            .contains("dev.signet.cli.Main").doesNotContain(main);
        assertThat(second.exec("cat", "/tmp/class-load-2.log").stdout()).contains(main);
        sigtermWithACallInFlight(second);
      }
    } finally {
      docker.run(SignetContainer.COMMAND_LIMIT, "volume", "rm", "-f", volume);
    }
  }

  /** Dev mode with /tmp on {@code volume}, logging where each class was loaded from. */
  private static SignetContainer startWithClassLog(String volume, int n) {
    return SignetContainer.start(docker, image, List.of("-v", volume + ":/tmp",
        "-e", "JAVA_OPTS=-Xlog:class+load=info:file=/tmp/class-load-" + n + ".log"),
        "serve", "--config", CONFIG, "--dev", "--dev-dir", "/tmp/signet-dev");
  }

  /**
   * Milliseconds from {@code docker run} to the first certificate issued to the host (printed
   * with the time {@code docker run} itself took and the time to /readyz).
   */
  private long firstCertificate(SignetContainer c) throws Exception {
    c.awaitReady(START_LIMIT);
    Path local = devFiles(c);
    assertThat(request(c, token(local), local.resolve("root-cert.pem")))
        .contains("identity:   " + ID);
    long total = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - c.startNanos);
    System.out.printf("image %s: docker run %d ms, /readyz at %d ms, first certificate at %d ms%n",
        image, TimeUnit.NANOSECONDS.toMillis(c.runNanos - c.startNanos),
        TimeUnit.NANOSECONDS.toMillis(c.readyNanos - c.startNanos), total);
    return total;
  }

  /**
   * Opens a call, sends SIGTERM, waits until new calls are refused (the server is shutting
   * down), then completes the call: it must get a verified certificate, and the container must
   * exit by itself within the chart's terminationGracePeriodSeconds.
   */
  private void sigtermWithACallInFlight(SignetContainer c) throws Exception {
    Path local = devFiles(c);
    String token = token(local);
    Path root = local.resolve("root-cert.pem");
    try (InFlightCall call = InFlightCall.open(c.grpcPort, root, token, Duration.ofSeconds(10))) {
      long term = System.nanoTime();
      c.sigterm();
      Poll.until(() -> refusesNewCalls(c, root, token), Duration.ofSeconds(8),
          "new calls refused after SIGTERM");
      KeyPair keys = CsrBuilder.ecP256();
      call.finish(CsrBuilder.istioAgent(keys, ID), Duration.ofHours(1));
      List<String> chain = call.result.get(30, TimeUnit.SECONDS);
      ChainVerifier.verify(chain, keys.getPublic(), ID, Pem.certificates(Files.readString(root)));
      int exit = c.awaitExit(grace());
      long stopped = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - term);
      System.out.printf("image %s: SIGTERM to exit %d ms (exit code %d)%n", image, stopped, exit);
      assertThat(exit).as(c.logs()).isIn(0, 143);
      assertThat(Duration.ofMillis(stopped)).isLessThan(grace());
    }
  }

  private static boolean refusesNewCalls(SignetContainer c, Path root, String token) {
    try (SignetClient fresh = SignetClient.connect("localhost", c.grpcPort, root.toFile())) {
      KeyPair keys = CsrBuilder.ecP256();
      fresh.createCertificate(CsrBuilder.istioAgent(keys, ID), Duration.ofHours(1), token,
          Duration.ofSeconds(2));
      return false;
    } catch (StatusRuntimeException e) {
      return true;
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  /** The chart's terminationGracePeriodSeconds (deploy/helm/signet/values.yaml). */
  private static Duration grace() throws Exception {
    Matcher m = Pattern.compile("(?m)^terminationGracePeriodSeconds:\\s*(\\d+)")
        .matcher(Files.readString(Path.of("deploy/helm/signet/values.yaml")));
    assertThat(m.find()).isTrue();
    return Duration.ofSeconds(Long.parseLong(m.group(1)));
  }

  /** The dev CA's root and the dev token key, read out of the container's /tmp. */
  private Path devFiles(SignetContainer c) throws Exception {
    Path local = Files.createTempDirectory(dir, "dev-");
    for (String f : List.of("root-cert.pem", DevTokens.KEY_FILE)) {
      Docker.Result r = c.exec("cat", "/tmp/signet-dev/" + f);
      assertThat(r.exitCode()).as(r.toString()).isZero();
      Files.writeString(local.resolve(f), r.stdout());
    }
    return local;
  }

  private static String token(Path devDir) throws Exception {
    return DevTokens.open(devDir).issue("demo", "web", List.of("istio-ca"),
        Duration.ofMinutes(10));
  }

  private String request(SignetContainer c, String token, Path root) throws Exception {
    return request(c, token, root, Files.createTempDirectory(dir, "certs-"));
  }

  /** {@code signet request} (the jar's CLI, in this JVM) against the container's gRPC port. */
  private static String request(SignetContainer c, String token, Path root, Path out) {
    ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    int exit = Main.run(List.of("request", "--addr", "localhost:" + c.grpcPort, "--token", token,
        "--ca-root", root.toString(), "--out", out.toString()), Map.of(),
        new PrintStream(stdout, true, StandardCharsets.UTF_8),
        new PrintStream(stderr, true, StandardCharsets.UTF_8));
    String printed = stdout.toString(StandardCharsets.UTF_8);
    assertThat(exit).as("%s%s%nserver log:%n%s", printed, stderr, c.logs()).isZero();
    return printed;
  }

  /** The chart mounts Secrets readable by the pod's group; here: readable by every user. */
  private static void readableByAll(Path d) throws Exception {
    Files.setPosixFilePermissions(d, PosixFilePermissions.fromString("rwxr-xr-x"));
    try (var files = Files.list(d)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
      }
    }
  }
}
