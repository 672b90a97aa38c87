package dev.signet.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A test peer running as a child process, its output in a log file beside its data; waited
 * for by polling a readiness probe, and stopped (TERM, then KILL) by whoever started it.
 */
public final class LocalProcess implements AutoCloseable {
  /** A readiness probe that may throw while the program is still starting. */
  public interface Probe {
    boolean ready() throws Exception;
  }

  private final String name;
  private final Process process;
  private final Path log;

  private LocalProcess(String name, Process process, Path log) {
    this.name = name;
    this.process = process;
    this.log = log;
  }

  /** Starts {@code command}, logging to {@code <dir>/<name>.log}. */
  static LocalProcess start(String name, Path dir, List<String> command) throws IOException {
    return start(name, dir, command, Map.of());
  }

  /** Starts {@code command} with {@code env} added to this process's environment. */
  static LocalProcess start(String name, Path dir, List<String> command, Map<String, String> env)
      throws IOException {
    Path log = dir.resolve(name + ".log");
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile());
    b.environment().putAll(env);
    return new LocalProcess(name, b.start(), log);
  }

  /**
   * Starts {@code command} in {@code workDir} with exactly {@code env} (nothing inherited but
   * PATH and HOME), logging to {@code <logDir>/<name>.log}.
   */
  public static LocalProcess startIsolated(String name, Path logDir, Path workDir,
      List<String> command, Map<String, String> env) throws IOException {
    Path log = logDir.resolve(name + ".log");
    ProcessBuilder b = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(log.toFile()).directory(workDir.toFile());
    Map<String, String> e = b.environment();
    String path = e.get("PATH");
    String home = e.get("HOME");
    e.clear();
    if (path != null) {
      e.put("PATH", path);
    }
    if (home != null) {
      e.put("HOME", home);
    }
    e.putAll(env);
    return new LocalProcess(name, b.start(), log);
  }

  /** Its process id (benchmarks read its CPU from /proc). */
  public long pid() {
    return process.pid();
  }

  /** Whether the process is still running. */
  public boolean alive() {
    return process.isAlive();
  }

  /** The last lines of its log. */
  public String logTail() {
    return tail();
  }

  /** Its log file. */
  public Path log() {
    return log;
  }

  /** SIGKILL, and waits for the process to be gone. */
  void kill() {
    try {
      process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Polls {@code probe} until it holds; fails with the log's tail if the process exits. */
  public void awaitReady(Probe probe, Duration timeout) throws IOException {
    Instant deadline = Instant.now().plus(timeout);
    while (Instant.now().isBefore(deadline)) {
      if (!process.isAlive()) {
        throw new IOException(name + " exited with " + process.exitValue()
            + " during start-up:\n" + tail());
      }
      try {
        if (probe.ready()) {
          return;
        }
      } catch (Exception e) {
        // not listening yet
      }
      try {
        // The probe's polling interval; returns early if the process exits.
        process.waitFor(200, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for " + name, e);
      }
    }
    throw new IOException(name + " was not ready within " + timeout + ":\n" + tail());
  }

  private String tail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  @Override
  public void close() {
    process.destroy();
    try {
      if (!process.waitFor(15, TimeUnit.SECONDS)) {
        process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
  }

  /** A loopback port that was free a moment ago. */
  public static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  /** Deletes a temporary tree, best effort. */
  static void deleteTree(Path root) {
    try (var paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // best effort: a temp dir
        }
      });
    } catch (IOException e) {
      // best effort
    }
  }
}
