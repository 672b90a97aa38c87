package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import dev.signet.config.SignetConfig.VaultAuthMethod;
import dev.signet.testing.HelmChart;
import dev.signet.testing.KubeTestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The chart's extension points (src/test/resources/chart/every-hook.yaml sets them all) rendered
 * by the real helm and created on a real kube-apiserver: each lands where it should, and what
 * the chart would otherwise create for itself (service account, RBAC) is left out.
 */
class ChartHooksTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  private static final String NS = "signet-hooks";
  private static final Path VALUES = Path.of("src", "test", "resources", "chart",
      "every-hook.yaml");
  private static List<HasMetadata> objects;

  @BeforeAll
  static void renderAndApply() throws IOException {
    String manifests = new HelmChart().render("mesh-ca", NS, List.of(VALUES));
    objects = kube.admin().load(new ByteArrayInputStream(
        manifests.getBytes(StandardCharsets.UTF_8))).items();
    kube.createNamespace(NS);
    for (HasMetadata o : objects) {
      assertThat(kube.admin().resource(o).serverSideApply()).as(o.getKind()).isNotNull();
    }
  }

  private static <T extends HasMetadata> T stored(Class<T> type, String name) {
    return kube.admin().resources(type).inNamespace(NS).withName(name).get();
  }

  @Test
  void commonLabelsAreOnEveryObjectExtraObjectsIncluded() {
    assertThat(objects).hasSizeGreaterThan(6);
    for (HasMetadata o : objects) {
      assertThat(o.getMetadata().getLabels()).as(o.getKind() + " " + o.getMetadata().getName())
          .containsEntry("team", "mesh").containsEntry("cost-center", "4711");
    }
    Deployment d = stored(Deployment.class, "mesh-ca-signet");
    assertThat(d.getSpec().getTemplate().getMetadata().getLabels()).containsEntry("team", "mesh");
  }

  @Test
  void anExistingServiceAccountAndNoRbacWhenAskedTo() {
    List<String> kinds = objects.stream().map(HasMetadata::getKind).toList();
    assertThat(kinds).doesNotContain("ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding");
    // Only the helm test's own account is created.
    assertThat(objects).filteredOn(o -> o.getKind().equals("ServiceAccount"))
        .extracting(o -> o.getMetadata().getName()).containsExactly("mesh-ca-signet-test");
    PodSpec pod = stored(Deployment.class, "mesh-ca-signet").getSpec().getTemplate().getSpec();
    assertThat(pod.getServiceAccountName()).isEqualTo("existing-ca-account");
  }

  @Test
  void podAndContainerHooksLandInTheDeployment() {
    Deployment d = stored(Deployment.class, "mesh-ca-signet");
    assertThat(d.getMetadata().getAnnotations()).containsEntry("reloader.example.com/auto", "true");
    // The autoscaler owns the replica count: the chart sets none.
    assertThat(objects).filteredOn(o -> o instanceof Deployment).singleElement()
        .satisfies(o -> assertThat(((Deployment) o).getSpec().getReplicas()).isNull());
    assertThat(objects).filteredOn(o -> o.getKind().equals("HorizontalPodAutoscaler"))
        .singleElement().satisfies(h -> assertThat(h.getMetadata().getName())
            .isEqualTo("mesh-ca-signet"));
    assertThat(d.getSpec().getTemplate().getMetadata().getAnnotations())
        .containsEntry("example.com/scrape", "false").containsKey("checksum/config");
    PodSpec pod = d.getSpec().getTemplate().getSpec();
    assertThat(pod.getPriorityClassName()).isEqualTo("system-cluster-critical");
    assertThat(pod.getInitContainers()).extracting(c -> c.getName()).containsExactly("vault-agent");
    assertThat(pod.getVolumes()).extracting(Volume::getName)
        .contains("config", "tmp", "clusters", "vault-token");
    var signet = pod.getContainers().get(0);
    assertThat(signet.getArgs()).containsExactly("serve", "--config",
        "/etc/signet/config/signet.yaml", "--set", "auth.cache.max-ttl=30s");
    assertThat(signet.getEnv()).anySatisfy(e -> {
      assertThat(e.getName()).isEqualTo("SIGNET_AUTH_POOL_THREADS");
      assertThat(e.getValue()).isEqualTo("8");
    });
    assertThat(signet.getVolumeMounts()).extracting(VolumeMount::getMountPath)
        .contains("/etc/signet/config", "/etc/signet/clusters", "/vault/secrets");
  }

  @Test
  void extraObjectsAreRenderedAsTemplates() {
    ConfigMap extra = stored(ConfigMap.class, "mesh-ca-extra");
    assertThat(extra).isNotNull();
    assertThat(extra.getData()).containsEntry("caAddress", "mesh-ca.signet-hooks.svc:443");
  }

  @Test
  void theNetworkPolicyAdmitsGrpcFromTheMeshAndTheAdminPortFromMonitoringOnly() {
    NetworkPolicy np = stored(NetworkPolicy.class, "mesh-ca-signet");
    assertThat(np.getSpec().getPolicyTypes()).containsExactly("Ingress");
    assertThat(np.getSpec().getPodSelector().getMatchLabels())
        .containsEntry("app.kubernetes.io/instance", "mesh-ca");
    var rules = np.getSpec().getIngress();
    assertThat(rules).hasSize(2);
    assertThat(rules.get(0).getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("grpc"));
    assertThat(rules.get(0).getFrom()).hasSize(2);
    assertThat(rules.get(0).getFrom().get(1).getIpBlock().getCidr()).isEqualTo("10.20.0.0/16");
    assertThat(rules.get(1).getPorts()).singleElement()
        .satisfies(p -> assertThat(p.getPort().getStrVal()).isEqualTo("admin"));
    assertThat(rules.get(1).getFrom()).singleElement().satisfies(peer -> {
      assertThat(peer.getNamespaceSelector().getMatchLabels())
          .containsExactly(java.util.Map.entry("kubernetes.io/metadata.name", "observability"));
      assertThat(peer.getPodSelector().getMatchLabels())
          .containsEntry("app.kubernetes.io/name", "prometheus");
    });
  }

  @Test
  void vaultTokenAuthAndExtraNamesReachSignetsConfiguration(@TempDir Path dir)
      throws IOException {
    ConfigMap cm = stored(ConfigMap.class, "mesh-ca-signet");
    Path file = dir.resolve("signet.yaml");
    Files.writeString(file, cm.getData().get("signet.yaml"));
    SignetConfig config = ConfigLoader.withDefaults().file(file).load();
    assertThat(config.ca().vault().auth().method()).isEqualTo(VaultAuthMethod.TOKEN);
    assertThat(config.ca().vault().auth().tokenFile()).contains(Path.of("/vault/secrets/token"));
    // The Service's names first (Istio's caAddress), then the extra SAN.
    assertThat(config.server().dnsNames()).containsExactly("mesh-ca-signet.signet-hooks.svc",
        "mesh-ca-signet.signet-hooks.svc.cluster.local", "ca.mesh.example.com");
    assertThat(config.auth().clusters()).singleElement()
        .satisfies(c -> assertThat(c.id()).isEqualTo("east"));
  }
}
