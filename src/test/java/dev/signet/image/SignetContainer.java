package dev.signet.image;

import dev.signet.testing.Docker;
import dev.signet.testing.Poll;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Signet's image running as the Helm chart runs it: the image's own user, a read-only root
 * filesystem, every capability dropped, no privilege escalation; its gRPC and admin ports
 * published on 127.0.0.1 only. {@link #close()} removes the container.
 */
final class SignetContainer implements AutoCloseable {
  static final Duration COMMAND_LIMIT = Duration.ofSeconds(60);

  final Docker docker;
  final String id;
  final int grpcPort;
  final int adminPort;
  /** {@link System#nanoTime()} just before {@code docker run}. */
  final long startNanos;
  /** {@link System#nanoTime()} when {@code docker run} returned (container created, started). */
  final long runNanos;
  /** {@link System#nanoTime()} when /readyz first answered 200 (0 before). */
  long readyNanos;

  private SignetContainer(Docker docker, String id, long startNanos) {
    this.docker = docker;
    this.id = id;
    this.startNanos = startNanos;
    this.runNanos = System.nanoTime();
    this.grpcPort = hostPort(8443);
    this.adminPort = hostPort(9102);
  }

  /**
   * {@code docker run -d} of {@code image} with the chart's restrictions, the extra run options
   * {@code options} (mounts, environment) and the container arguments {@code args}.
   */
  static SignetContainer start(Docker docker, String image, List<String> options,
      String... args) {
    // Named, so that a container created but not started (docker run failed) is removed too.
    String name = "signet-test-" + java.util.UUID.randomUUID();
    List<String> run = new ArrayList<>(List.of("run", "-d", "--name", name, "--read-only",
        "--cap-drop", "ALL",
        "--security-opt", "no-new-privileges", "-p", "127.0.0.1::8443", "-p", "127.0.0.1::9102"));
    run.addAll(options);
    run.add(image);
    run.addAll(List.of(args));
    long start = System.nanoTime();
    try {
      String id = docker.ok(COMMAND_LIMIT, run.toArray(String[]::new)).strip();
      return new SignetContainer(docker, id, start);
    } catch (RuntimeException | Error e) {
      docker.run(COMMAND_LIMIT, "rm", "-f", "-v", name);
      throw e;
    }
  }

  /** Polls {@code /readyz} until it answers 200; fails with the log if the container stops. */
  void awaitReady(Duration within) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    HttpRequest readyz = HttpRequest.newBuilder(
        URI.create("http://127.0.0.1:" + adminPort + "/readyz")).timeout(Duration.ofSeconds(2))
        .build();
    Poll.until(() -> {
      if (!running()) {
        throw new AssertionError("the container stopped during start-up:\n" + logs());
      }
      try {
        return http.send(readyz, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }, within, "/readyz of " + id);
    readyNanos = System.nanoTime();
  }

  boolean running() {
    return inspect("{{.State.Running}}").equals("true");
  }

  /** {@code docker inspect --format format}, trimmed. */
  String inspect(String format) {
    return docker.ok(COMMAND_LIMIT, "inspect", "--format", format, id).strip();
  }

  /** Runs {@code command} in the container (as the image's user); its outcome. */
  Docker.Result exec(String... command) {
    List<String> all = new ArrayList<>(List.of("exec", id));
    all.addAll(List.of(command));
    return docker.run(COMMAND_LIMIT, all.toArray(String[]::new));
  }

  /** Standard output and error of the container so far. */
  String logs() {
    Docker.Result r = docker.run(COMMAND_LIMIT, "logs", id);
    return r.stdout() + r.stderr();
  }

  /** Sends SIGTERM to the container's main process (Signet's JVM: the launcher execs it). */
  void sigterm() {
    docker.ok(COMMAND_LIMIT, "kill", "--signal", "TERM", id);
  }

  /** Polls until the container has stopped; fails after {@code within}. Its exit code. */
  int awaitExit(Duration within) {
    Poll.until(() -> !running(), within, "exit of " + id);
    return Integer.parseInt(inspect("{{.State.ExitCode}}"));
  }

  private int hostPort(int containerPort) {
    // "127.0.0.1:49153" (one line per address).
    String mapping = docker.ok(COMMAND_LIMIT, "port", id, containerPort + "/tcp").strip()
        .split("\n")[0];
    return Integer.parseInt(mapping.substring(mapping.lastIndexOf(':') + 1));
  }

  @Override
  public void close() {
    docker.run(COMMAND_LIMIT, "rm", "-f", "-v", id);
  }
}
