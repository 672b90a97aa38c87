package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.ca.CaFiles;
import dev.signet.ca.SigningAuthority;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.pki.Pem;
import dev.signet.testing.InstallScript;
import dev.signet.testing.IstioCharts;
import dev.signet.testing.KubeTestCluster;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.apps.DaemonSet;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/install.sh: docs/operations.md shows exactly its steps (its --print output), and run by
 * bash with the real kubectl and helm on an empty real kube-apiserver, with Istio's charts of
 * the newest pinned release and CA files from deploy/make-cacerts.sh, it installs what the doc
 * says, for sidecars and for ambient. (IstioChartsTest checks the rendered objects in depth for
 * every release; the e2e suite installs with this script and runs istiod from what it created.)
 */
class InstallScriptTest {
  private static final Path DOC = Path.of("docs", "operations.md");
  /** {@code <!-- deploy/install.sh --print ... -->} and the sh block right after it. */
  private static final Pattern GENERATED = Pattern.compile(
      "<!-- (deploy/install\\.sh [^>]*?) -->\\n```sh\\n(.*?)```", Pattern.DOTALL);
  private static final List<String> CA_FILES =
      List.of("ca-cert.pem", "ca-key.pem", "cert-chain.pem", "root-cert.pem");

  @Test
  void theDocShowsTheScriptsSteps() throws Exception {
    Matcher m = GENERATED.matcher(Files.readString(DOC));
    List<String> shown = new ArrayList<>();
    while (m.find()) {
      List<String> words = Arrays.asList(m.group(1).trim().split(" +"));
      assertThat(words).as("a generated block's marker runs --print").contains("--print");
      InstallScript.Result r = InstallScript.run(Map.of(), words.subList(1, words.size()));
      assertThat(r.exitCode()).as(r.output()).isZero();
      assertThat(m.group(2)).as("the block after <!-- " + m.group(1) + " --> in " + DOC)
          .isEqualTo(r.output());
      shown.add(String.join(" ", words.subList(1, words.size())));
    }
    assertThat(shown).containsExactlyInAnyOrder("--print", "--print --ambient");
  }

  @Test
  void withoutTheCaFilesItStopsBeforeTouchingTheClusterAndSaysHowToMakeThem(
      @TempDir Path dir) throws Exception {
    InstallScript.Result r = InstallScript.run(Map.of("KUBECTL", "/nonexistent/kubectl",
        "HELM", "/nonexistent/helm"), List.of("--cacerts", dir.toString()));
    assertThat(r.exitCode()).isEqualTo(1);
    assertThat(r.output()).contains("ca-cert.pem").contains("deploy/make-cacerts.sh")
        .doesNotContain("install: kubectl");
  }

  @ParameterizedTest(name = "ambient={0}")
  @ValueSource(booleans = {false, true})
  void installsOnAnEmptyCluster(boolean ambient, @TempDir Path dir) throws Exception {
    String release = IstioCharts.releases().get(0);
    Path cacerts = makeCacerts(dir.resolve("ca"));
    try (KubeTestCluster kube = new KubeTestCluster().start()) {
      InstallScript.install(kube, dir.resolve("install"),
          cacerts, release, ambient);
      KubernetesClient k = kube.admin();

      Set<String> releases = new TreeSet<>();
      for (String ns : List.of("signet-system", "istio-system")) {
        k.secrets().inNamespace(ns).withLabel("owner", "helm").list().getItems()
            .forEach(s -> releases.add(s.getMetadata().getLabels().get("name")));
      }
      assertThat(releases).containsExactlyInAnyOrderElementsOf(ambient
          ? List.of("signet", "istio-base", "istiod", "istio-cni", "ztunnel")
          : List.of("signet", "istio-base", "istiod"));

      Secret secret = k.secrets().inNamespace("signet-system").withName("cacerts").get();
      assertThat(secret.getData()).containsOnlyKeys(CA_FILES);
      for (String f : CA_FILES) {
        assertThat(new String(Base64.getDecoder().decode(secret.getData().get(f)),
            StandardCharsets.US_ASCII)).as(f).isEqualTo(Files.readString(cacerts.resolve(f)));
      }
      assertThat(k.apps().deployments().inNamespace("signet-system").withName("signet").get())
          .as("Signet's Deployment").isNotNull();
      String signetYaml = k.configMaps().inNamespace("signet-system").withName("signet").get()
          .getData().get("signet.yaml");
      if (ambient) {
        assertThat(signetYaml).as("Signet trusts ztunnel").contains("istio-system/ztunnel");
      } else {
        assertThat(signetYaml).doesNotContain("istio-system/ztunnel");
      }

      Deployment istiod = k.apps().deployments().inNamespace("istio-system").withName("istiod")
          .get();
      Container discovery = istiod.getSpec().getTemplate().getSpec().getContainers().get(0);
      assertThat(env(discovery, "ENABLE_CA_SERVER")).isEqualTo("false");
      ConfigMap injector = k.configMaps().inNamespace("istio-system")
          .withName("istio-sidecar-injector").get();
      assertThat(injector.getData().get("values")).contains("signet.signet-system.svc:443");
      assertThat(k.apiextensions().v1().customResourceDefinitions()
          .withName("peerauthentications.security.istio.io").get()).isNotNull();

      DaemonSet ztunnel = k.apps().daemonSets().inNamespace("istio-system").withName("ztunnel")
          .get();
      DaemonSet cni = k.apps().daemonSets().inNamespace("istio-system").withName("istio-cni-node")
          .get();
      if (ambient) {
        assertThat(env(discovery, "CA_TRUSTED_NODE_ACCOUNTS")).isEqualTo("istio-system/ztunnel");
        assertThat(env(ztunnel.getSpec().getTemplate().getSpec().getContainers().get(0),
            "CA_ADDRESS")).isEqualTo("signet.signet-system.svc:443");
        assertThat(cni).as("istio-cni-node").isNotNull();
      } else {
        assertThat(ztunnel).isNull();
        assertThat(cni).isNull();
      }
    }
  }

  /** deploy/make-cacerts.sh's files are a CA that Signet's files source loads and signs with. */
  private static Path makeCacerts(Path dir) throws Exception {
    Process p = new ProcessBuilder("bash", "deploy/make-cacerts.sh", dir.toString())
        .redirectError(ProcessBuilder.Redirect.DISCARD).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).isZero();
    Path cacerts = Path.of(out);
    assertThat(cacerts).isEqualTo(dir.resolve("cacerts"));
    SigningAuthority ca = CaFiles.load(cacerts, CryptoProvider.select(ProviderChoice.AUTO));
    assertThat(ca.certificate()).isEqualTo(Pem.certificates(
        Files.readString(cacerts.resolve("ca-cert.pem"))).get(0));
    ca.certificate().verify(Pem.certificates(Files.readString(dir.resolve("root-cert.pem")))
        .get(0).getPublicKey());
    assertThat(dir.resolve("root-key.pem")).as("the root key, beside, not among the CA files")
        .exists();
    return cacerts;
  }

  private static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue)
        .findFirst().orElse(null);
  }
}
