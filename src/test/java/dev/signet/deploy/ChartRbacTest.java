package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.testing.HelmChart;
import dev.signet.testing.KubeTestCluster;
import io.fabric8.kubernetes.api.model.HasMetadata;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart's RBAC is the least-privilege set: with every duty on it is exactly
 * deploy/kubernetes/rbac.yaml (which the kube tests run Signet under), with the defaults the
 * API server grants Signet what its enabled duties use and nothing else, and a duty that is off
 * gets no rule.
 */
class ChartRbacTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  private static final String[] EVERY_DUTY = {
      "--set-json", "config.auth.trusted-node-accounts=[\"istio-system/ztunnel\"]"};
  private static HelmChart helm;

  @BeforeAll
  static void applyTheDefaults() throws IOException {
    helm = new HelmChart();
    kube.createNamespace("signet-system");
    kube.createNamespace("istio-system");
    String manifests = helm.render("signet", "signet-system", List.of());
    for (HasMetadata o : kube.admin().load(new ByteArrayInputStream(
        manifests.getBytes(StandardCharsets.UTF_8))).items()) {
      kube.admin().resource(o).serverSideApply();
    }
  }

  @Test
  void withEveryDutyOnTheChartIsExactlyDeployKubernetesRbacYaml() throws IOException {
    String rendered = helm.render("signet", "signet-system", List.of(),
        concat(EVERY_DUTY, "--show-only", "templates/serviceaccount.yaml",
            "--show-only", "templates/rbac.yaml"));
    List<Map<String, Object>> fromChart = normalized(rendered);
    List<Map<String, Object>> committed =
        normalized(Files.readString(Path.of("deploy", "kubernetes", "rbac.yaml")));
    assertThat(fromChart).hasSize(11).isEqualTo(committed);
  }

  @Test
  void theDefaultsGrantWhatSignetsDutiesUse() {
    assertThat(allowed("create", "authentication.k8s.io", "tokenreviews", null, null)).isTrue();
    assertThat(allowed("list", "", "namespaces", null, null)).isTrue();
    assertThat(allowed("update", "", "configmaps", "kube-system", "istio-ca-root-cert")).isTrue();
    assertThat(allowed("update", "coordination.k8s.io", "leases", "signet-system",
        "signet-leader")).isTrue();
    assertThat(allowed("create", "", "secrets", "istio-system", null)).isTrue();
    assertThat(allowed("update", "", "secrets", "istio-system", "istiod-tls")).isTrue();
    // Signet's informer lists and watches with a metadata.name field selector: RBAC sees a name.
    assertThat(allowed("watch", "", "configmaps", null, "istio-ca-root-cert")).isTrue();
    assertThat(allowed("create", "", "configmaps", "shop", null)).isTrue();
    assertThat(allowed("create", "coordination.k8s.io", "leases", "signet-system", null))
        .isTrue();
    assertThat(allowed("get", "coordination.k8s.io", "leases", "signet-system", "signet-leader"))
        .isTrue();
  }

  /** Every ConfigMap and Lease verb but create (which carries no name) is limited to a name. */
  @Test
  void configMapAndLeaseWritesAreLimitedToTheirNames() throws IOException {
    assertThat(allowed("update", "", "configmaps", "kube-system", "kube-root-ca.crt")).isFalse();
    assertThat(allowed("patch", "", "configmaps", "shop", "app-settings")).isFalse();
    assertThat(allowed("get", "", "configmaps", "shop", "app-settings")).isFalse();
    assertThat(allowed("list", "", "configmaps", null, null)).isFalse();
    assertThat(allowed("watch", "", "configmaps", "shop", null)).isFalse();
    assertThat(allowed("update", "coordination.k8s.io", "leases", "signet-system",
        "other-controller")).isFalse();
    assertThat(allowed("get", "coordination.k8s.io", "leases", "signet-system", null)).isFalse();
    // Another trust bundle name (Istio's trustBundleName) moves the limit with it.
    String renamed = helm.render("signet", "signet-system", List.of(),
        "--set", "config.kubernetes.trust-bundle.name=mesh-roots",
        "--show-only", "templates/rbac.yaml");
    assertThat(renamed).contains("resourceNames:\n    - mesh-roots")
        .doesNotContain("istio-ca-root-cert");
  }

  @Test
  void theDefaultsGrantNothingElse() {
    // Ambient impersonation is off by default, so no pod access.
    assertThat(allowed("watch", "", "pods", null, null)).isFalse();
    assertThat(allowed("get", "", "secrets", "istio-system", "istio-ca-secret")).isFalse();
    assertThat(allowed("get", "", "secrets", "signet-system", "cacerts")).isFalse();
    assertThat(allowed("list", "", "secrets", null, null)).isFalse();
    assertThat(allowed("delete", "", "configmaps", "default", "istio-ca-root-cert")).isFalse();
    assertThat(allowed("update", "coordination.k8s.io", "leases", "kube-system", "x")).isFalse();
    assertThat(allowed("create", "", "serviceaccounts/token", "default", "x")).isFalse();
    assertThat(allowed("update", "apps", "deployments", "signet-system", "signet")).isFalse();
  }

  @Test
  void aDutyThatIsOffGetsNoRule() throws IOException {
    String rendered = helm.render("signet", "signet-system", List.of(),
        "--set", "config.auth.kind=jwt",
        "--set", "config.kubernetes.trust-bundle.enabled=false",
        "--set", "config.kubernetes.istiod-cert.enabled=false");
    assertThat(normalized(rendered)).extracting(o -> o.get("kind"))
        .doesNotContain("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding")
        .contains("ServiceAccount", "Deployment");
  }

  private static boolean allowed(String verb, String group, String resource, String namespace,
      String name) {
    return kube.serviceAccountMay("signet-system", "signet", verb, group, resource, namespace,
        name);
  }

  /** The documents without labels and annotations (the chart's bookkeeping), in a fixed order. */
  @SuppressWarnings("unchecked")
  private static List<Map<String, Object>> normalized(String yaml) {
    List<Map<String, Object>> docs = new ArrayList<>();
    for (Object doc : new Yaml().loadAll(yaml)) {
      if (doc == null) {
        continue;
      }
      Map<String, Object> m = (Map<String, Object>) doc;
      Map<String, Object> meta = (Map<String, Object>) m.get("metadata");
      meta.remove("labels");
      meta.remove("annotations");
      docs.add(m);
    }
    docs.sort(Comparator.comparing((Map<String, Object> m) -> (String) m.get("kind"))
        .thenComparing(m -> Objects.toString(((Map<String, Object>) m.get("metadata")).get("name"))));
    return docs;
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = new String[a.length + b.length];
    System.arraycopy(a, 0, all, 0, a.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
