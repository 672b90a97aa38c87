package dev.signet.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code deploy/install.sh}, the install steps of docs/operations.md, run as an operator runs
 * it: by bash, with the real kubectl ({@code SIGNET_KUBECTL}) and helm ({@code SIGNET_HELM})
 * against a {@link KubeTestCluster}, and Istio's charts of one pinned release from
 * {@code SIGNET_ISTIO_CHARTS} in place of the {@code istio} Helm repository.
 */
public final class InstallScript {
  /** The script, relative to the project root (the tests' working directory). */
  public static final Path SCRIPT = Path.of("deploy", "install.sh");
  private static final long TIMEOUT_SECONDS = 300;

  private InstallScript() {}

  /** The exit code and the output (stdout and stderr together) of one run. */
  public record Result(int exitCode, String output) {}

  /**
   * Installs Signet and Istio {@code release} on {@code kube}, an empty cluster, with the CA
   * files in {@code cacerts}; fails with the script's output unless it succeeds. Then waits
   * until the API server serves Istio's CRDs (helm creates them but does not wait for that).
   *
   * @param work a directory for helm's and kubectl's own files
   */
  public static void install(KubeTestCluster kube, Path work, Path cacerts, String release,
      boolean ambient) throws IOException {
    List<String> args = new ArrayList<>(List.of("--cacerts", cacerts.toString(),
        "--istio-charts", IstioCharts.chartsOf(release).toString()));
    if (ambient) {
      args.add("--ambient");
    }
    Result r = run(kube, work, args);
    if (r.exitCode() != 0) {
      throw new AssertionError("deploy/install.sh " + String.join(" ", args) + " failed ("
          + r.exitCode() + "):\n" + r.output());
    }
    IstioCharts.awaitIstioCrdsEstablished(kube);
  }

  /**
   * Runs {@code bash deploy/install.sh <args>} with KUBECONFIG (cluster admin), KUBECTL and HELM
   * set, and helm's and kubectl's caches and configuration under {@code work}.
   */
  public static Result run(KubeTestCluster kube, Path work, List<String> args)
      throws IOException {
    Path kubectl = TestTools.require("SIGNET_KUBECTL", "kubectl.sh");
    Path helm = TestTools.require("SIGNET_HELM", "helm.sh");
    Files.createDirectories(work);
    return run(Map.of("KUBECONFIG", kube.adminKubeconfig().toString(),
        "KUBECTL", kubectl.toString(), "HELM", helm.toString(),
        "KUBECACHEDIR", work.resolve("kube-cache").toString(),
        "HELM_CACHE_HOME", work.resolve("helm-cache").toString(),
        "HELM_CONFIG_HOME", work.resolve("helm-config").toString(),
        "HELM_DATA_HOME", work.resolve("helm-data").toString()), args);
  }

  /**
   * Runs {@code bash deploy/install.sh <args>} with {@code env} added to an environment from
   * which the script's own inputs (KUBECTL, HELM, CACERTS, ISTIO_CHARTS, AMBIENT) are removed.
   */
  public static Result run(Map<String, String> env, List<String> args) throws IOException {
    List<String> command = new ArrayList<>(List.of("bash", SCRIPT.toString()));
    command.addAll(args);
    Path out = Files.createTempFile("install-", ".out");
    try {
      ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(out.toFile());
      pb.environment().keySet().removeAll(
          List.of("KUBECTL", "HELM", "CACERTS", "ISTIO_CHARTS", "AMBIENT", "KUBECONFIG"));
      pb.environment().putAll(env);
      Process p = pb.start();
      if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new AssertionError("deploy/install.sh did not finish within " + TIMEOUT_SECONDS
            + " s:\n" + Files.readString(out, StandardCharsets.UTF_8));
      }
      return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted running deploy/install.sh", e);
    } finally {
      Files.deleteIfExists(out);
    }
  }
}
