package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import dev.signet.config.SignetConfig.CaSourceKind;
import dev.signet.testing.HelmChart;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.Poll;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * deploy/helm/signet rendered by the real helm and created on a real kube-apiserver: every
 * object is accepted, the signet.yaml it renders is one Signet loads, and its RBAC is the
 * least-privilege set of deploy/kubernetes/rbac.yaml.
 */
class ChartTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  private static final Path EXAMPLES = HelmChart.CHART.resolve("examples");
  private static HelmChart helm;

  @BeforeAll
  static void setUp() throws IOException {
    helm = new HelmChart();
    KubernetesClient admin = kube.admin();
    try (InputStream in = ChartTest.class.getResourceAsStream("/crds/monitoring-coreos.yaml")) {
      for (HasMetadata crd : admin.load(in).items()) {
        admin.resource(crd).serverSideApply();
        Poll.until(() -> established(admin, crd.getMetadata().getName()), Duration.ofSeconds(30),
            crd.getMetadata().getName() + " established");
      }
    }
    kube.createNamespace("istio-system");
  }

  private static boolean established(KubernetesClient admin, String name) {
    CustomResourceDefinition crd = admin.apiextensions().v1().customResourceDefinitions()
        .withName(name).get();
    // The API server creates the status before its controller adds the first condition.
    return crd != null && crd.getStatus() != null && crd.getStatus().getConditions() != null
        && crd.getStatus().getConditions().stream()
        .anyMatch(c -> c.getType().equals("Established") && c.getStatus().equals("True"));
  }

  static Stream<Arguments> renderings() {
    return Stream.of(
        Arguments.of("signet", "signet-system", List.of(), CaSourceKind.FILES),
        Arguments.of("pki", "signet-pki", List.of(EXAMPLES.resolve("vault-pki-kubernetes.yaml")),
            CaSourceKind.VAULT_PKI),
        Arguments.of("transit", "signet-transit",
            List.of(EXAMPLES.resolve("vault-transit-approle.yaml"),
                EXAMPLES.resolve("monitoring.yaml")),
            CaSourceKind.VAULT_TRANSIT));
  }

  private static List<HasMetadata> objects(String manifests) {
    return kube.admin().load(new ByteArrayInputStream(manifests.getBytes(StandardCharsets.UTF_8)))
        .items();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void theApiServerAcceptsEveryRenderedObject(String release, String namespace,
      List<Path> values, CaSourceKind source) throws IOException {
    List<HasMetadata> objects = objects(helm.render(release, namespace, values));
    kube.createNamespace(namespace);
    for (HasMetadata o : objects) {
      assertThat(kube.admin().resource(o).serverSideApply()).as(describe(o)).isNotNull();
      assertThat(kube.admin().resource(o).get()).as(describe(o) + " stored").isNotNull();
    }
    List<String> kinds = objects.stream().map(HasMetadata::getKind).toList();
    assertThat(kinds).contains("ServiceAccount", "ConfigMap", "Service", "Deployment",
        "PodDisruptionBudget", "ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    boolean monitoring = values.contains(EXAMPLES.resolve("monitoring.yaml"));
    assertThat(kinds.contains("ServiceMonitor")).isEqualTo(monitoring);
    assertThat(kinds.contains("PrometheusRule")).isEqualTo(monitoring);
    // The CA's Service publishes gRPC only; the admin port has a Service of its own for the
    // ServiceMonitor, and none without one.
    var ca = kube.admin().services().inNamespace(namespace).withName(fullName(release)).get();
    assertThat(ca.getSpec().getPorts()).extracting(p -> p.getName()).containsExactly("grpc-tls");
    var metrics = kube.admin().services().inNamespace(namespace)
        .withName(fullName(release) + "-metrics").get();
    if (monitoring) {
      assertThat(metrics.getSpec().getPorts()).extracting(p -> p.getName())
          .containsExactly("http-admin");
    } else {
      assertThat(metrics).isNull();
    }
    var deployment = kube.admin().apps().deployments().inNamespace(namespace)
        .withName(fullName(release)).get();
    assertThat(deployment.getSpec().getReplicas()).isEqualTo(2);
    // Out of the mesh, or a mesh-wide injection or ambient namespace makes the CA need itself.
    var podMeta = deployment.getSpec().getTemplate().getMetadata();
    assertThat(podMeta.getLabels()).containsEntry("sidecar.istio.io/inject", "false")
        .containsEntry("istio.io/dataplane-mode", "none");
    assertThat(podMeta.getAnnotations()).containsEntry("sidecar.istio.io/inject", "false");
    var pod = deployment.getSpec().getTemplate().getSpec();
    assertThat(pod.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(pod.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    var container = pod.getContainers().get(0);
    assertThat(container.getSecurityContext().getReadOnlyRootFilesystem()).isTrue();
    assertThat(container.getSecurityContext().getAllowPrivilegeEscalation()).isFalse();
    assertThat(container.getSecurityContext().getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(container.getReadinessProbe().getHttpGet().getPath()).isEqualTo("/readyz");
    assertThat(container.getLivenessProbe().getHttpGet().getPath()).isEqualTo("/healthz");
    assertThat(container.getReadinessProbe().getHttpGet().getPort().getStrVal()).isEqualTo("admin");
    // The Lease holder is named after the pod (KubeDuties reads POD_NAME).
    assertThat(container.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("POD_NAME");
      assertThat(e.getValueFrom().getFieldRef().getFieldPath()).isEqualTo("metadata.name");
    });
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("renderings")
  void theRenderedSignetYamlIsOneSignetLoads(String release, String namespace, List<Path> values,
      CaSourceKind source, @TempDir Path dir) throws IOException {
    ConfigMap cm = objects(helm.render(release, namespace, values)).stream()
        .filter(ConfigMap.class::isInstance).map(ConfigMap.class::cast).findFirst().orElseThrow();
    Path file = dir.resolve("signet.yaml");
    Files.writeString(file, cm.getData().get("signet.yaml"));
    SignetConfig config = ConfigLoader.withDefaults().file(file).load();
    assertThat(config.ca().source()).isEqualTo(source);
    String service = fullName(release) + "." + namespace + ".svc";
    assertThat(config.server().dnsNames()).containsExactly(service, service + ".cluster.local");
    assertThat(config.server().grpcPort()).isEqualTo(8443);
    assertThat(config.server().adminPort()).isEqualTo(9102);
    assertThat(config.kubernetes().namespace()).isEqualTo(namespace);
    assertThat(config.kubernetes().kubeconfig()).isEmpty();
    assertThat(config.auth().kind()).isEqualTo(SignetConfig.AuthKind.TOKENREVIEW);
    assertThat(config.kubernetes().trustBundle().enabled()).isTrue();
    assertThat(config.kubernetes().istiodCert().enabled()).isTrue();
  }

  /**
   * {@code helm test}'s pod asks the CA's Service for a certificate as Istio's agent would: the
   * Service's name (which the serving certificate carries), a token for Signet's audience, the
   * root from the trust bundle Signet publishes, under an account of its own without RBAC.
   */
  @Test
  void theHelmTestPodRequestsACertificateAsAnAgentWould(@TempDir Path dir) throws IOException {
    String ns = "signet-helm-test";
    List<HasMetadata> objects = objects(helm.render("signet", ns, List.of()));
    kube.createNamespace(ns);
    for (HasMetadata o : objects) {
      kube.admin().resource(o).serverSideApply();
    }
    Pod pod = kube.admin().pods().inNamespace(ns).withName("signet-test").get();
    assertThat(pod.getMetadata().getAnnotations()).containsEntry("helm.sh/hook", "test");
    assertThat(pod.getSpec().getServiceAccountName()).isEqualTo("signet-test");
    assertThat(pod.getSpec().getAutomountServiceAccountToken()).isFalse();
    ConfigMap cm = objects.stream().filter(ConfigMap.class::isInstance)
        .map(ConfigMap.class::cast).findFirst().orElseThrow();
    Path file = dir.resolve("signet.yaml");
    Files.writeString(file, cm.getData().get("signet.yaml"));
    SignetConfig config = ConfigLoader.withDefaults().file(file).load();
    List<String> args = pod.getSpec().getContainers().get(0).getArgs();
    assertThat(args.get(0)).isEqualTo("request");
    String addr = args.get(args.indexOf("--addr") + 1);
    assertThat(addr).isEqualTo(config.server().dnsNames().get(0) + ":443");
    var token = pod.getSpec().getVolumes().stream().filter(v -> v.getProjected() != null)
        .findFirst().orElseThrow().getProjected().getSources().get(0).getServiceAccountToken();
    assertThat(config.auth().audiences()).contains(token.getAudience());
    var root = pod.getSpec().getVolumes().stream().filter(v -> v.getConfigMap() != null)
        .findFirst().orElseThrow().getConfigMap();
    assertThat(root.getName()).isEqualTo(config.kubernetes().trustBundle().name());
    assertThat(args.get(args.indexOf("--trust-domain") + 1))
        .isEqualTo(config.issuance().trustDomain());
    // No RBAC names the test's account.
    assertThat(kube.serviceAccountMay(ns, "signet-test", "get", "", "configmaps", ns,
        "istio-ca-root-cert")).isFalse();
  }

  private static String fullName(String release) {
    return release.contains("signet") ? release : release + "-signet";
  }

  private static String describe(HasMetadata o) {
    return o.getKind() + " " + o.getMetadata().getNamespace() + "/" + o.getMetadata().getName();
  }
}
