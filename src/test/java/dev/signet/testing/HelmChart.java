package dev.signet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Signet's Helm chart ({@code deploy/helm/signet}) rendered by the real helm binary of
 * {@code .ci/tools/helm.sh} ({@code SIGNET_HELM}).
 */
public final class HelmChart {
  /** The chart's directory, relative to the project root (the tests' working directory). */
  public static final Path CHART = Path.of("deploy", "helm", "signet");
  /** The Kubernetes version the chart is rendered for: the test API server's. */
  static final String KUBE_VERSION = "1.37.2";

  final Path helm = TestTools.require("SIGNET_HELM", "helm.sh");

  /** The outcome of one helm command. */
  public record Result(int exitCode, String stdout, String stderr) {}

  /**
   * {@code helm template <release> deploy/helm/signet -n <namespace> [-f file]... [args]...}.
   *
   * @param args further arguments, e.g. {@code --set key=value}
   */
  public Result template(String release, String namespace, List<Path> valuesFiles,
      String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(helm.toString(), "template", release,
        CHART.toString(), "--namespace", namespace, "--kube-version", KUBE_VERSION));
    for (Path f : valuesFiles) {
      command.add("--values");
      command.add(f.toString());
    }
    command.addAll(List.of(args));
    return run(command);
  }

  /** Renders and fails with helm's message unless it succeeds; returns the manifests. */
  public String render(String release, String namespace, List<Path> valuesFiles, String... args)
      throws IOException {
    Result r = template(release, namespace, valuesFiles, args);
    if (r.exitCode() != 0) {
      throw new AssertionError("helm template failed (" + r.exitCode() + "): " + r.stderr());
    }
    return r.stdout();
  }

  static Result run(List<String> command) throws IOException {
    Path out = Files.createTempFile("helm-", ".out");
    Path err = Files.createTempFile("helm-", ".err");
    try {
      Process p = new ProcessBuilder(command).redirectOutput(out.toFile())
          .redirectError(err.toFile()).start();
      if (!p.waitFor(120, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IOException("helm did not finish within 120 s: " + command);
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running helm", e);
    } finally {
      Files.deleteIfExists(out);
      Files.deleteIfExists(err);
    }
  }
}
