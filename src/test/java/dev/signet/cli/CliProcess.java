package dev.signet.cli;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/** Runs {@code signet} (Main on the test classpath) as its own process, as a shell would. */
final class CliProcess {
  /** What the process did. */
  record Result(int exit, String out, String err) {
    List<String> errLines() {
      return err.lines().toList();
    }
  }

  private CliProcess() {}

  static Result run(Path dir, Map<String, String> env, String... args)
      throws IOException, InterruptedException {
    List<String> command = new ArrayList<>(List.of(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-cp", System.getProperty("java.class.path"), Main.class.getName()));
    command.addAll(List.of(args));
    Path out = Files.createTempFile(dir, "out", ".txt");
    Path err = Files.createTempFile(dir, "err", ".txt");
    ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile())
        .redirectOutput(out.toFile()).redirectError(err.toFile());
    pb.environment().keySet().removeIf(k -> k.startsWith("SIGNET_"));
    pb.environment().putAll(env);
    Process p = pb.start();
    if (!p.waitFor(5, TimeUnit.MINUTES)) { // a loaded CI machine starts a JVM slowly
      p.destroyForcibly();
      throw new IOException("signet " + String.join(" ", args) + " did not exit");
    }
    return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
        withoutJvmWarnings(Files.readString(err, StandardCharsets.UTF_8)));
  }

  /** Newer JVMs print warnings about native access by netty to stderr: not Signet's output. */
  private static String withoutJvmWarnings(String s) {
    StringBuilder b = new StringBuilder();
    s.lines().filter(l -> !l.startsWith("WARNING: ")).forEach(l -> b.append(l).append('\n'));
    return b.toString();
  }
}
