package dev.signet.testing;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

/**
 * Istio's own Helm charts (base, istiod, cni, ztunnel, gateway) at every pinned Istio release, taken
 * from the istio.io/istio module by {@code .ci/tools/istio-charts.sh}
 * ({@code SIGNET_ISTIO_CHARTS=<dir>}, holding {@code <release>/<chart>}), rendered by the real
 * helm ({@code SIGNET_HELM}).
 */
public final class IstioCharts {
  /** Istio's values for using Signet, relative to the project root. */
  public static final Path VALUES = Path.of("deploy", "istio");

  private final Path root = TestTools.require("SIGNET_ISTIO_CHARTS", "istio-charts.sh");
  private final Path helm = new HelmChart().helm;

  /** The pinned releases, newest first (e.g. 1.31, 1.30). */
  public static List<String> releases() {
    Path root = TestTools.require("SIGNET_ISTIO_CHARTS", "istio-charts.sh");
    try (Stream<Path> dirs = Files.list(root)) {
      List<String> out = new ArrayList<>(dirs.filter(Files::isDirectory)
          .map(p -> p.getFileName().toString()).toList());
      out.sort((a, b) -> minor(b) - minor(a));
      if (out.isEmpty()) {
        throw new AssertionError("no Istio releases under " + root);
      }
      return out;
    } catch (IOException e) {
      throw new AssertionError("cannot list " + root, e);
    }
  }

  /**
   * The directory holding the charts of {@code release} ({@code base}, {@code istiod},
   * {@code cni}, {@code ztunnel}, {@code gateway}): what {@code deploy/install.sh
   * --istio-charts} takes in place of the {@code istio} Helm repository.
   */
  public static Path chartsOf(String release) {
    Path dir = TestTools.require("SIGNET_ISTIO_CHARTS", "istio-charts.sh").resolve(release);
    if (!Files.isDirectory(dir.resolve("istiod"))) {
      throw new AssertionError("no Istio " + release + " charts under " + dir);
    }
    return dir;
  }

  /**
   * Waits until every CustomResourceDefinition of an istio.io group on {@code kube} is
   * established (helm install creates them but does not wait for that); fails if there is none.
   */
  public static void awaitIstioCrdsEstablished(KubeTestCluster kube) {
    KubernetesClient admin = kube.admin();
    List<String> crds = admin.apiextensions().v1().customResourceDefinitions().list().getItems()
        .stream().map(c -> c.getMetadata().getName()).filter(n -> n.endsWith(".istio.io"))
        .toList();
    if (crds.isEmpty()) {
      throw new AssertionError("no Istio CRDs on the API server");
    }
    for (String crd : crds) {
      Poll.until(() -> established(admin, crd), Duration.ofSeconds(60), crd + " established");
    }
  }

  private static int minor(String release) {
    return Integer.parseInt(release.substring(release.indexOf('.') + 1));
  }

  /**
   * {@code helm template <name> <chart of release> -n <namespace> -f <values>... <args>...};
   * fails with helm's message unless it succeeds.
   */
  public String render(String release, String chart, String name, String namespace,
      List<Path> values, String... args) throws IOException {
    Path dir = root.resolve(release).resolve(chart);
    if (!Files.isDirectory(dir)) {
      throw new AssertionError("no chart " + dir);
    }
    List<String> command = new ArrayList<>(List.of(helm.toString(), "template", name,
        dir.toString(), "--namespace", namespace, "--kube-version", HelmChart.KUBE_VERSION));
    for (Path f : values) {
      command.add("--values");
      command.add(f.toString());
    }
    command.addAll(List.of(args));
    HelmChart.Result r = HelmChart.run(command);
    if (r.exitCode() != 0) {
      throw new AssertionError("helm template " + chart + " (Istio " + release + ") failed ("
          + r.exitCode() + "): " + r.stderr());
    }
    return r.stdout();
  }

  /**
   * Renders Istio's base chart into istio-system and creates it (namespace, CRDs, ...), then
   * waits until every CRD is established; returns the CRDs' names.
   */
  public List<String> installBase(KubeTestCluster kube, String release) throws IOException {
    kube.createNamespace("istio-system");
    List<String> crds = new ArrayList<>();
    for (HasMetadata o : apply(kube, render(release, "base", "istio-base", "istio-system",
        List.of()))) {
      if (o.getKind().equals("CustomResourceDefinition")) {
        crds.add(o.getMetadata().getName());
      }
    }
    KubernetesClient admin = kube.admin();
    for (String crd : crds) {
      Poll.until(() -> established(admin, crd), Duration.ofSeconds(60), crd + " established");
    }
    return crds;
  }

  private static boolean established(KubernetesClient admin, String name) {
    var crd = admin.apiextensions().v1().customResourceDefinitions().withName(name).get();
    // The status, and its conditions, appear only once the API server has looked at the CRD.
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
            .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  /** Creates (server-side apply) every object of {@code manifests}; fails unless all are stored. */
  public static List<HasMetadata> apply(KubeTestCluster kube, String manifests) {
    List<HasMetadata> objects = kube.admin().load(new ByteArrayInputStream(
        manifests.getBytes(StandardCharsets.UTF_8))).items();
    if (objects.isEmpty()) {
      throw new AssertionError("nothing rendered");
    }
    for (HasMetadata o : objects) {
      String what = o.getKind() + " " + o.getMetadata().getNamespace() + "/"
          + o.getMetadata().getName();
      if (kube.admin().resource(o).serverSideApply() == null
          || kube.admin().resource(o).get() == null) {
        throw new AssertionError(what + " was not stored");
      }
    }
    return objects;
  }
}
