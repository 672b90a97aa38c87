package dev.signet.testing;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Signet as its own operating-system process (the test's classpath, {@code signet serve --dev}
 * with the same loopback settings as {@link LoopbackSignet}), for what an in-process server
 * cannot show: a replica that dies without a chance to clean up ({@link #kill()}).
 */
public final class SignetProcess implements AutoCloseable {
  private final LocalProcess process;

  private SignetProcess(LocalProcess process) {
    this.process = process;
  }

  /**
   * Starts Signet with its dev CA in {@code dir}, named {@code name} (its log is
   * {@code dir/name.log}, and its Lease identity starts with {@code name}), and waits until it is
   * ready.
   */
  public static SignetProcess start(Path dir, String name, String... settings)
      throws IOException {
    return start(dir, name, List.of("--dev", "--dev-dir", dir.toString()), 0, settings);
  }

  /**
   * Starts Signet as in production (no dev mode: its CA, authentication and Kubernetes duties
   * all come from {@code settings}), gRPC on {@code address}:{@code grpcPort} (a loopback
   * address), and waits until it is ready.
   */
  public static SignetProcess startConfigured(Path dir, String name, String address,
      int grpcPort, String... settings) throws IOException {
    return start(dir, name, List.of(), address, grpcPort, settings);
  }

  private static SignetProcess start(Path dir, String name, List<String> mode, int grpcPort,
      String... settings) throws IOException {
    return start(dir, name, mode, "127.0.0.1", grpcPort, settings);
  }

  private static SignetProcess start(Path dir, String name, List<String> mode, String address,
      int grpcPort, String... settings) throws IOException {
    int admin = LocalProcess.freePort();
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"),
        "dev.signet.cli.Main", "serve"));
    command.addAll(mode);
    command.addAll(List.of(
        "--set", "server.address=" + address, "--set", "server.grpc-port=" + grpcPort,
        "--set", "server.admin-port=" + admin));
    for (String s : settings) {
      command.add("--set");
      command.add(s);
    }
    LocalProcess p = LocalProcess.start(name, dir, command, Map.of("POD_NAME", name));
    HttpClient http = HttpClient.newHttpClient();
    HttpRequest ready = HttpRequest.newBuilder(
        URI.create("http://" + address + ":" + admin + "/readyz")).timeout(Duration.ofSeconds(2))
        .build();
    try {
      p.awaitReady(() -> http.send(ready, HttpResponse.BodyHandlers.discarding())
          .statusCode() == 200, Duration.ofSeconds(120));
    } catch (IOException e) {
      p.close();
      throw e;
    }
    return new SignetProcess(p);
  }

  /** The last lines of its log. */
  public String logTail() {
    return process.logTail();
  }

  /** SIGKILL: no shutdown hook runs, nothing is released. */
  public void kill() {
    process.kill();
  }

  @Override
  public void close() {
    process.close();
  }
}
