package dev.signet.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * The {@code docker} CLI against the engine {@code DOCKER_HOST} names (CI's own engine from
 * {@code .ci/tools/docker.sh}, or a developer's Docker Desktop). {@link #require()} checks that
 * the engine answers: without one a test fails under {@code CI=true} and is aborted elsewhere,
 * as for every other test peer ({@link TestTools}). Every command has a time limit.
 */
public final class Docker {
  /** The outcome of one command: its exit code and what it printed. */
  public record Result(int exitCode, String stdout, String stderr) {
    /** The output, for failure messages. */
    @Override
    public String toString() {
      return "exit " + exitCode + "\nstdout: " + stdout + "\nstderr: " + stderr;
    }
  }

  private Docker() {}

  /** The CLI, once the engine has answered {@code docker version}. */
  public static Docker require() {
    Docker d = new Docker();
    Result r;
    try {
      r = d.run(Duration.ofSeconds(30), "version", "--format", "{{.Server.Version}}");
    } catch (UncheckedIOException e) {
      return TestTools.missing("no docker CLI on PATH (" + e.getMessage() + "); start an engine"
          + " with 'export DOCKER_HOST=$(bash .ci/tools/docker.sh)'");
    }
    if (r.exitCode() != 0) {
      return TestTools.missing("no Docker engine answers (DOCKER_HOST="
          + System.getenv("DOCKER_HOST") + "): " + r.stderr().strip() + "; start one with"
          + " 'export DOCKER_HOST=$(bash .ci/tools/docker.sh)'");
    }
    return d;
  }

  /** Runs {@code docker args...}; fails unless it exits 0; returns its standard output. */
  public String ok(Duration limit, String... args) {
    Result r = run(limit, args);
    if (r.exitCode() != 0) {
      throw new AssertionError("docker " + String.join(" ", args) + " failed: " + r);
    }
    return r.stdout();
  }

  /** Runs {@code docker args...} and returns its outcome; fails if it outlives {@code limit}. */
  public Result run(Duration limit, String... args) {
    List<String> command = new ArrayList<>(List.of("docker"));
    command.addAll(List.of(args));
    Process p;
    try {
      p = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(
          new java.io.File("/dev/null"))).start();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot run docker", e);
    }
    CompletableFuture<String> out = drain(p.getInputStream());
    CompletableFuture<String> err = drain(p.getErrorStream());
    try {
      if (!p.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("docker " + String.join(" ", args) + " took over " + limit);
      }
      return new Result(p.exitValue(), out.get(), err.get());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      p.destroyForcibly();
      throw new AssertionError("interrupted", e);
    } catch (ExecutionException e) {
      throw new AssertionError("reading docker's output", e);
    }
  }

  /** Reads a stream to its end on a thread of its own (the common pool may have one thread). */
  private static CompletableFuture<String> drain(InputStream in) {
    return CompletableFuture.supplyAsync(() -> {
      try (in) {
        return new String(in.readAllBytes(), StandardCharsets.UTF_8);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }, task -> {
      Thread t = new Thread(task, "docker-output");
      t.setDaemon(true);
      t.start();
    });
  }
}
