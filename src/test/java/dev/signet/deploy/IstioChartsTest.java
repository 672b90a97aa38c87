package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signet.kube.KubeSignet;
import dev.signet.pki.Pem;
import dev.signet.server.SignetServer;
import dev.signet.testing.IstioCharts;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.LoopbackSignet;
import dev.signet.testing.Poll;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio's own charts (from the istio.io/istio module at every pinned release) rendered with the
 * values of deploy/istio, created on a real kube-apiserver, and checked for what makes Istio use
 * Signet; then Signet runs against that API server and writes what the rendered istiod and
 * workloads mount: the root ConfigMap under Istio's {@code global.trustBundleName}, and Secret
 * istiod-tls with the names of every rendered istiod revision.
 */
class IstioChartsTest {
  private static final String SIGNET = "signet.signet-system.svc:443";
  private static final String BUNDLE = "mesh-roots";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Path ISTIOD_VALUES = IstioCharts.VALUES.resolve("istiod-values.yaml");
  private static final Path ZTUNNEL_VALUES = IstioCharts.VALUES.resolve("ztunnel-values.yaml");
  private static IstioCharts charts;

  @BeforeAll
  static void setUp() {
    charts = new IstioCharts();
  }

  static List<String> releases() {
    return IstioCharts.releases();
  }

  /**
   * Sidecar mode, during a canary upgrade: the default istiod and revision {@code canary}, both
   * with deploy/istio/istiod-values.yaml and a trustBundleName, plus an ingress gateway.
   */
  @ParameterizedTest(name = "Istio {0}")
  @MethodSource("releases")
  void sidecarModeWithACanaryRevision(String release, @TempDir Path dir) throws Exception {
    try (KubeTestCluster kube = new KubeTestCluster().start()) {
      installBase(kube, release);
      List<HasMetadata> istiod = new ArrayList<>();
      for (String revision : List.of("", "canary")) {
        istiod.addAll(apply(kube, charts.render(release, "istiod",
            revision.isEmpty() ? "istiod" : "istiod-" + revision, "istio-system",
            List.of(ISTIOD_VALUES), "--set", "global.trustBundleName=" + BUNDLE,
            "--set", "revision=" + revision)));
      }
      kube.createNamespace("istio-ingress");
      List<HasMetadata> gateway = apply(kube, charts.render(release, "gateway",
          "istio-ingressgateway", "istio-ingress", List.of()));

      List<Deployment> istiods = of(istiod, Deployment.class);
      assertThat(istiods).extracting(d -> d.getMetadata().getName())
          .containsExactlyInAnyOrder("istiod", "istiod-canary");
      for (Deployment d : istiods) {
        assertIstiodUsesSignet(d.getSpec().getTemplate().getSpec(), BUNDLE);
      }
      List<ConfigMap> injectors = of(istiod, ConfigMap.class).stream()
          .filter(c -> c.getMetadata().getName().startsWith("istio-sidecar-injector")).toList();
      assertThat(injectors).hasSize(2);
      for (ConfigMap injector : injectors) {
        assertInjectionUsesSignet(injector, BUNDLE, List.of("sidecar", "gateway", "grpc-agent"));
      }
      // The gateway chart's pod is injected with the gateway template (so it gets CA_ADDR).
      Deployment gw = of(gateway, Deployment.class).get(0);
      assertThat(gw.getSpec().getTemplate().getMetadata().getAnnotations())
          .containsEntry("inject.istio.io/templates", "gateway");
      assertThat(gw.getSpec().getTemplate().getMetadata().getLabels())
          .containsEntry("sidecar.istio.io/inject", "true");

      KubeSignet.allowTrustBundleName(kube, BUNDLE);
      try (SignetServer signet = signet(kube, dir, "kubernetes.trust-bundle.name=" + BUNDLE,
          "kubernetes.istiod-cert.revisions=default,canary")) {
        assertSignetWritesWhatIsMounted(kube, signet, istiod, BUNDLE, "istio-ingress");
      }
    }
  }

  /** Ambient mode: istiod and ztunnel with profile=ambient and deploy/istio's values. */
  @ParameterizedTest(name = "Istio {0}")
  @MethodSource("releases")
  void ambientMode(String release, @TempDir Path dir) throws Exception {
    try (KubeTestCluster kube = new KubeTestCluster().start()) {
      installBase(kube, release);
      List<HasMetadata> istiod = apply(kube, charts.render(release, "istiod", "istiod",
          "istio-system", List.of(ISTIOD_VALUES), "--set", "profile=ambient"));
      List<HasMetadata> ztunnel = apply(kube, charts.render(release, "ztunnel", "ztunnel",
          "istio-system", List.of(ZTUNNEL_VALUES), "--set", "profile=ambient"));

      PodSpec istiodPod = of(istiod, Deployment.class).get(0).getSpec().getTemplate().getSpec();
      assertIstiodUsesSignet(istiodPod, "istio-ca-root-cert");
      // ztunnel impersonates the pods of its node: istiod's CA would trust it for that; Signet
      // must be told to (docs/operations.md), which the chart's env shows.
      assertThat(env(istiodPod.getContainers().get(0), "CA_TRUSTED_NODE_ACCOUNTS"))
          .isEqualTo("istio-system/ztunnel");
      PodSpec zt = of(ztunnel, DaemonSet.class).get(0).getSpec().getTemplate().getSpec();
      assertThat(env(zt.getContainers().get(0), "CA_ADDRESS")).isEqualTo(SIGNET);
      assertThat(zt.getServiceAccountName()).isEqualTo("ztunnel");
      assertThat(configMapVolumes(zt)).contains("istio-ca-root-cert");
      assertThat(tokenAudiences(zt)).containsExactly("istio-ca");

      try (SignetServer signet = signet(kube, dir)) {
        List<HasMetadata> all = new ArrayList<>(istiod);
        all.addAll(ztunnel);
        assertSignetWritesWhatIsMounted(kube, signet, all, "istio-ca-root-cert", "istio-system");
      }
    }
  }

  private static void installBase(KubeTestCluster kube, String release) throws Exception {
    assertThat(charts.installBase(kube, release)).contains(
        "peerauthentications.security.istio.io", "destinationrules.networking.istio.io");
  }

  private static List<HasMetadata> apply(KubeTestCluster kube, String manifests) {
    return IstioCharts.apply(kube, manifests);
  }

  /** istiod with its CA off, serving with istiod-tls, reading the roots from the bundle. */
  private static void assertIstiodUsesSignet(PodSpec pod, String bundle) {
    Container discovery = pod.getContainers().get(0);
    assertThat(env(discovery, "ENABLE_CA_SERVER")).isEqualTo("false");
    String tls = volumeOf(pod, v -> v.getSecret() != null
        && "istiod-tls".equals(v.getSecret().getSecretName()));
    assertThat(discovery.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo(tls);
      assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/istiod/tls");
    });
    // The CA bundle istiod serves with comes from the root ConfigMap Signet writes.
    String ca = volumeOf(pod, v -> v.getConfigMap() != null
        && bundle.equals(v.getConfigMap().getName()));
    assertThat(discovery.getVolumeMounts()).anySatisfy(m -> {
      assertThat(m.getName()).isEqualTo(ca);
      assertThat(m.getMountPath()).isEqualTo("/var/run/secrets/istiod/ca");
    });
    if (!bundle.equals("istio-ca-root-cert")) {
      assertThat(env(discovery, "PILOT_CA_CERT_CONFIGMAP")).isEqualTo(bundle);
    }
  }

  /**
   * The injector's values send CA_ADDR to Signet and mount the root ConfigMap by the bundle's
   * name, and each template named sets CA_ADDR from those values.
   */
  private static void assertInjectionUsesSignet(ConfigMap injector, String bundle,
      List<String> templates) throws Exception {
    JsonNode values = JSON.readTree(injector.getData().get("values"));
    assertThat(values.path("global").path("caAddress").asText()).isEqualTo(SIGNET);
    if (!bundle.equals("istio-ca-root-cert")) {
      assertThat(values.path("global").path("trustBundleName").asText()).isEqualTo(bundle);
    }
    String config = injector.getData().get("config");
    Pattern caAddr = Pattern.compile("- name: CA_ADDR\\s+\\{\\{- if \\.Values\\.global\\.caAddress"
        + " }}\\s+value: \\{\\{ \\.Values\\.global\\.caAddress }}");
    Pattern rootVolume = Pattern.compile("name: \\{\\{ \\.Values\\.global\\.trustBundleName"
        + " \\| default \"istio-ca-root-cert\" }}");
    for (String t : templates) {
      String template = template(config, t);
      assertThat(caAddr.matcher(template).find()).as("CA_ADDR in template " + t).isTrue();
      assertThat(rootVolume.matcher(template).find()).as("root volume in template " + t)
          .isTrue();
    }
  }

  /** The text of {@code templates.<name>} in the injector's config (a YAML block scalar). */
  private static String template(String config, String name) {
    int start = config.indexOf("\n  " + name + ": |");
    assertThat(start).as("injection template " + name).isNotNegative();
    int end = config.indexOf("\n  ", start + 1);
    while (end >= 0 && config.startsWith("    ", end + 1)) {
      end = config.indexOf("\n  ", end + 1);
    }
    return end < 0 ? config.substring(start) : config.substring(start, end);
  }

  /**
   * Signet, in Kubernetes mode against this API server, writes the root ConfigMap into the
   * rendered workloads' namespaces under the name they mount, and istiod-tls with the names of
   * every rendered istiod Service and service account, chained to those roots.
   */
  private static void assertSignetWritesWhatIsMounted(KubeTestCluster kube, SignetServer signet,
      List<HasMetadata> rendered, String bundle, String workloadNamespace) throws Exception {
    String roots = signet.ca().current().rootBundle();
    for (String ns : List.of("istio-system", workloadNamespace, "default", "kube-system")) {
      Poll.until(() -> {
        ConfigMap cm = kube.admin().configMaps().inNamespace(ns).withName(bundle).get();
        return cm != null && roots.equals(cm.getData().get("root-cert.pem"));
      }, Duration.ofSeconds(30), ns + "/" + bundle);
    }
    Poll.until(() -> kube.admin().secrets().inNamespace("istio-system").withName("istiod-tls")
        .get() != null, Duration.ofSeconds(30), "Secret istiod-tls");
    Secret s = kube.admin().secrets().inNamespace("istio-system").withName("istiod-tls").get();
    List<X509Certificate> chain = Pem.certificates(decode(s, "tls.crt"));
    List<String> names = new ArrayList<>();
    chain.get(0).getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
    List<String> wanted = new ArrayList<>();
    for (Service svc : of(rendered, Service.class)) {
      if ("istiod".equals(svc.getSpec().getSelector().get("app"))) {
        wanted.add(svc.getMetadata().getName() + "." + svc.getMetadata().getNamespace() + ".svc");
      }
    }
    for (Deployment d : of(rendered, Deployment.class)) {
      wanted.add("spiffe://cluster.local/ns/istio-system/sa/"
          + d.getSpec().getTemplate().getSpec().getServiceAccountName());
    }
    assertThat(wanted).isNotEmpty();
    assertThat(names).containsAll(wanted);
    assertThat(Pem.certificates(decode(s, "ca.crt"))).isEqualTo(Pem.certificates(roots));
  }

  private static SignetServer signet(KubeTestCluster kube, Path dir, String... settings)
      throws Exception {
    List<String> all = new ArrayList<>(List.of(
        "kubernetes.kubeconfig=" + KubeSignet.signetKubeconfig(kube, "signet"),
        "kubernetes.trust-bundle.enabled=true", "kubernetes.istiod-cert.enabled=true",
        "kubernetes.leader-election.lease-duration=4s",
        "kubernetes.leader-election.renew-deadline=3s",
        "kubernetes.leader-election.retry-period=500ms"));
    all.addAll(List.of(settings));
    return SignetServer.start(LoopbackSignet.config(dir, all.toArray(String[]::new)));
  }

  private static String decode(Secret s, String key) {
    return new String(Base64.getDecoder().decode(s.getData().get(key)), StandardCharsets.US_ASCII);
  }

  private static <T> List<T> of(List<HasMetadata> objects, Class<T> type) {
    return objects.stream().filter(type::isInstance).map(type::cast).toList();
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue)
        .findFirst().orElseThrow(() -> new AssertionError("no env " + name + " in " + c.getName()));
  }

  private static String volumeOf(PodSpec pod, java.util.function.Predicate<Volume> which) {
    return pod.getVolumes().stream().filter(which).map(Volume::getName).findFirst()
        .orElseThrow(() -> new AssertionError("no such volume in " + pod.getVolumes()));
  }

  private static List<String> configMapVolumes(PodSpec pod) {
    return pod.getVolumes().stream().filter(v -> v.getConfigMap() != null)
        .map(v -> v.getConfigMap().getName()).toList();
  }

  private static List<String> tokenAudiences(PodSpec pod) {
    return pod.getVolumes().stream().filter(v -> v.getProjected() != null)
        .flatMap(v -> v.getProjected().getSources().stream())
        .filter(s -> s.getServiceAccountToken() != null)
        .map(s -> s.getServiceAccountToken().getAudience()).toList();
  }
}
