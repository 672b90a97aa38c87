package dev.signet.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.node.TextNode;
import dev.signet.testing.LocalProcess;
import io.fabric8.kubernetes.api.model.Pod;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The application container of a proxyless pod: src/e2e/istio's echo-server or echo-client,
 * with the container's environment from {@link FakeKubelet} (the injector's GRPC_XDS_BOOTSTRAP
 * among it) in the same container root as its agent. The bootstrap it reads is the one the agent
 * wrote, with two changes a container would not need: its in-container paths (the agent's XDS
 * socket, the certificate files) become paths on this machine, as FakeKubelet does for
 * environment values; and the certificate files are re-read every second instead of Istio's
 * 15 minutes, because the suite shortens certificate lifetimes to a minute so that renewals
 * happen while it watches (with Istio's 24-hour certificates, 15 minutes is ample).
 */
final class EchoApp implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final LocalProcess process;

  private EchoApp(LocalProcess process) {
    this.process = process;
  }

  /** echo-server of {@code pod}, listening on {@code ip:port}. */
  static EchoApp server(FakeKubelet kubelet, Path bins, Pod pod, ProxylessAgent agent, Path dir,
      String ip, int port) throws IOException {
    return start(kubelet, bins.resolve("echo-server"), pod, agent, dir,
        List.of("-listen", ip + ":" + port));
  }

  /**
   * echo-client of {@code pod}, calling {@code target} (xds:///...) on a new connection every
   * 200 ms until {@code stop} exists.
   */
  static EchoApp client(FakeKubelet kubelet, Path bins, Pod pod, ProxylessAgent agent, Path dir,
      String target, Path stop) throws IOException {
    return start(kubelet, bins.resolve("echo-client"), pod, agent, dir,
        List.of("-target", target, "-stop", stop.toString()));
  }

  private static EchoApp start(FakeKubelet kubelet, Path bin, Pod pod, ProxylessAgent agent,
      Path dir, List<String> args) throws IOException {
    FakeKubelet.Launch launch = kubelet.prepare(pod, "app", agent.launch.rootfs());
    Map<String, String> env = new HashMap<>(launch.env());
    String bootstrap = env.get("GRPC_XDS_BOOTSTRAP");
    if (bootstrap == null) {
      throw new AssertionError("the injector gave the app no GRPC_XDS_BOOTSTRAP: " + env);
    }
    env.put("GRPC_XDS_BOOTSTRAP", onThisMachine(Path.of(bootstrap), launch.rootfs()).toString());
    List<String> command = new ArrayList<>(List.of(bin.toString()));
    command.addAll(args);
    String name = bin.getFileName() + "-" + pod.getMetadata().getName();
    return new EchoApp(LocalProcess.startIsolated(name, dir, launch.rootfs(), command, env));
  }

  /** Writes the bootstrap at {@code file} beside it, as described on the class. */
  private static Path onThisMachine(Path file, Path rootfs) throws IOException {
    JsonNode b = JSON.readTree(Files.readString(file));
    relocate(b, rootfs.toString());
    b.path("certificate_providers").forEach(p -> {
      if (p.path("config").has("refresh_interval")) {
        ((ObjectNode) p.path("config")).put("refresh_interval", "1s");
      }
    });
    Path out = file.resolveSibling("app-bootstrap.json");
    Files.writeString(out, JSON.writerWithDefaultPrettyPrinter().writeValueAsString(b));
    return out;
  }

  private static void relocate(JsonNode node, String rootfs) {
    if (!node.isObject()) {
      node.forEach(n -> relocate(n, rootfs));
      return;
    }
    ObjectNode o = (ObjectNode) node;
    List<String> names = new ArrayList<>();
    o.fieldNames().forEachRemaining(names::add);
    for (String name : names) {
      JsonNode v = o.get(name);
      if (v.isTextual()) {
        o.set(name, new TextNode(relocated(v.asText(), rootfs)));
      } else {
        relocate(v, rootfs);
      }
    }
  }

  private static String relocated(String value, String rootfs) {
    if (value.startsWith(rootfs)) {
      return value;
    }
    if (value.startsWith("unix:///")) {
      return "unix://" + relocated(value.substring("unix://".length()), rootfs);
    }
    boolean inContainer = value.startsWith("/etc/istio/") || value.startsWith("/var/lib/istio/")
        || value.startsWith("/var/run/secrets/");
    return inContainer ? rootfs + value : value;
  }

  /**
   * One call from echo-client over plaintext (no xDS, no certificates) to {@code address};
   * returns its output, starting with "ok" if the call succeeded.
   */
  static String plaintextCall(Path bins, Path dir, String address) throws IOException {
    Process p = new ProcessBuilder(bins.resolve("echo-client").toString(), "-plaintext",
        "-target", address, "-timeout", "5s").directory(dir.toFile()).redirectErrorStream(true)
        .start();
    try {
      if (!p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("echo-client -plaintext did not return within 30 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    }
    String out = new String(p.getInputStream().readAllBytes()).strip();
    return (p.exitValue() == 0 ? "ok " : "failed ") + out;
  }

  /** The lines it has printed so far. */
  List<String> lines() throws IOException {
    return Files.readAllLines(process.log());
  }

  boolean alive() {
    return process.alive();
  }

  String logTail() {
    return process.logTail();
  }

  @Override
  public void close() {
    process.close();
  }
}
