package dev.signet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.kube.KubeSignet;
import dev.signet.pki.Pem;
import dev.signet.testing.InstallScript;
import dev.signet.testing.IstioCharts;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.LocalProcess;
import dev.signet.testing.Poll;
import dev.signet.testing.TestTools;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.admissionregistration.v1.MutatingWebhookConfiguration;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Istio itself on Signet, per pinned Istio release (.ci/e2e.sh): a real kube-apiserver; Signet's
 * and Istio's charts installed by deploy/install.sh, the steps of docs/operations.md, with the
 * real helm and kubectl (the Signet Deployment it creates never runs: no kubelet); two Signet
 * replicas as processes in Kubernetes mode (TokenReview, the root ConfigMaps, istiod-tls, leader
 * election) with the files CA, its intermediate issued by a mesh intermediate in a real Vault
 * ({@link MeshVault}, set up by deploy/vault/setup.sh); istiod (pilot-discovery) as a process
 * configured from the installed Deployment and serving with the certificate Signet wrote; a
 * proxyless gRPC workload's pilot-agent, injected by that istiod through the API server's
 * admission webhook, getting its certificate from Signet and its configuration from istiod; the
 * Signet leader killed and the survivor taking over ({@link Failover}); and two grpc-go
 * workloads calling each other over mTLS while Signet's signing CA changes
 * ({@link WorkloadCalls}): the files CA's intermediate is replaced, the replicas roll over to
 * the vault-pki custody model under the same mesh intermediate, and vault-pki renews its
 * signing certificates.
 * No kubelet and no Envoy: pods and EndpointSlices are written as a kubelet and the
 * EndpointSlice controller would report them (docs/compatibility.md).
 */
class IstioE2E {
  /**
   * vault-pki's signing certificates live two minutes and are renewed with 55% left, about
   * 54 s after each is issued: long enough for both agents to renew onto the first one (they
   * renew every 30 s), short enough that the suite sees the renewal soon after.
   */
  private static final Duration VAULT_PKI_TTL = Duration.ofMinutes(2);
  private static final double VAULT_PKI_RENEW_REMAINING = 0.55;

  static Stream<String> releases() throws IOException {
    Path bins = TestTools.require("SIGNET_ISTIO_BIN", "istio-bin.sh");
    List<String> releases = new ArrayList<>(IstioCharts.releases());
    releases.removeIf(r -> !Files.isDirectory(bins.resolve(r)));
    assertThat(releases).as("releases with binaries under " + bins).isNotEmpty();
    return releases.stream();
  }

  @ParameterizedTest(name = "Istio {0}")
  @MethodSource("releases")
  void istiodAndProxylessWorkloadsRunOnSignet(String release, @TempDir Path dir)
      throws Exception {
    Path bins = TestTools.require("SIGNET_ISTIO_BIN", "istio-bin.sh").resolve(release);
    try (KubeTestCluster kube = new KubeTestCluster().start();
        PodNetwork network = new PodNetwork();
        MeshVault vault = MeshVault.start()) {
      // No cluster DNS: Signet's replicas and istiod listen on loopback addresses of their own,
      // which the agents' /etc/hosts gives their Service names; the values are deploy/istio's.
      ClusterDns dns = new ClusterDns();
      List<String> signetAddresses = List.of(dns.address(10), dns.address(12));
      String istiodAddress = dns.address(11);
      Path hosts = ClusterDns.hostsFile(dir.resolve("hosts"), Map.of(
          "signet.signet-system.svc", signetAddresses,
          "istiod.istio-system.svc", List.of(istiodAddress)));
      CaFilesDir ca = CaFilesDir.write(dir.resolve("cacerts"), vault);
      InstallScript.install(kube, dir.resolve("install"), ca.directory(), release, false);
      String roots = ca.rootPem();
      try (SignetReplicas signet = SignetReplicas.start(kube, dir, signetAddresses,
          signetSettings(kube, "ca.source=files", "ca.files.directory=" + ca.directory(),
              "ca.files.reload-interval=1s"))) {
        Poll.until(() -> rootConfigMap(kube, "istio-system") != null
                && secret(kube) != null, Duration.ofSeconds(60),
            "Signet wrote istio-ca-root-cert and istiod-tls");
        FakeKubelet kubelet = new FakeKubelet(kube);
        // The istiod Deployment as the install stored it.
        Deployment deployment = kube.admin().apps().deployments().inNamespace("istio-system")
            .withName("istiod").get();
        try (Istiod istiod = Istiod.start(kube, kubelet, bins.resolve("pilot-discovery"),
            deployment, dir, istiodAddress)) {
          assertThat(istiod.env()).containsEntry("ENABLE_CA_SERVER", "false");
          istiodServesWithSignetsCertificate(kube, istiod, roots);
          onlySignetWritesTheRootConfigMap(kube, roots);
          try (ProxylessAgent web = proxylessAgentGetsItsCertificateAndConfig(kube, kubelet,
              istiod, bins, dir, ca, hosts)) {
            Failover.theSurvivorTakesOverTheDuties(kube, signet, web, roots,
                "istio-ca-root-cert");
          }
          WorkloadCalls.run(new WorkloadCalls.Mesh(kube, kubelet, bins, dir, hosts, network),
              List.of(CaChange.filesReplacement(ca, "Signing CA 2"),
                  CaChange.rollToVaultPki(signet, vault, signetSettings(kube,
                      vault.vaultPkiSettings(dir, VAULT_PKI_TTL, VAULT_PKI_RENEW_REMAINING))),
                  CaChange.vaultPkiRenewal(vault)));
        } catch (AssertionError | Exception e) {
          throw new AssertionError(e + "\n" + signet.logTails()
              + "\n--- istiod log:\n" + tail(dir.resolve("istiod.log")), e);
        }
      }
    }
  }

  /**
   * Signet as deploy/ configures it for Istio, with the CA settings {@code ca} and short times
   * so the suite sees them pass: leader election in seconds, and workload certificates of one
   * minute (agents ask for 24 hours; Signet's maximum shortens it, and agents renew at half of
   * what they got, as Istio's do).
   */
  private static String[] signetSettings(KubeTestCluster kube, String... ca)
      throws IOException {
    // localhost on istiod's certificate: the API server calls its webhook by that name.
    List<String> all = new ArrayList<>(List.of(ca));
    all.addAll(List.of("auth.kind=tokenreview",
        "kubernetes.kubeconfig=" + KubeSignet.signetKubeconfig(kube, "signet"),
        "kubernetes.trust-bundle.enabled=true", "kubernetes.istiod-cert.enabled=true",
        "kubernetes.istiod-cert.dns-names=localhost",
        "issuance.min-ttl=1m", "issuance.default-ttl=1m", "issuance.max-ttl=1m",
        "kubernetes.leader-election.lease-duration=4s",
        "kubernetes.leader-election.renew-deadline=3s",
        "kubernetes.leader-election.retry-period=500ms"));
    return all.toArray(String[]::new);
  }

  /** The certificate istiod serves XDS with is Signet's istiod-tls leaf, valid for its name. */
  private static void istiodServesWithSignetsCertificate(KubeTestCluster kube, Istiod istiod,
      String roots) throws Exception {
    X509Certificate written = Pem.certificates(decode(secret(kube), "tls.crt")).get(0);
    SSLContext tls = KubeTestCluster.sslTrusting(roots);
    try (Socket raw = new Socket(istiod.xdsTlsAddress, 15012);
        SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(raw,
            "istiod.istio-system.svc", 15012, true)) {
      SSLParameters p = s.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS");
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      X509Certificate served = (X509Certificate) s.getSession().getPeerCertificates()[0];
      assertThat(served).as("istiod's XDS certificate").isEqualTo(written);
    }
  }

  /**
   * istiod with its CA off leaves the root ConfigMaps to Signet: a namespace created now gets
   * Signet's roots, and no istio-ca-root-cert anywhere was ever written by pilot-discovery.
   */
  private static void onlySignetWritesTheRootConfigMap(KubeTestCluster kube, String roots)
      throws Exception {
    kube.createNamespace("late");
    Poll.until(() -> {
      ConfigMap cm = rootConfigMap(kube, "late");
      return cm != null && roots.equals(cm.getData().get("root-cert.pem"));
    }, Duration.ofSeconds(30), "late/istio-ca-root-cert with Signet's roots");
    List<ConfigMap> all = kube.admin().configMaps().inAnyNamespace()
        .withField("metadata.name", "istio-ca-root-cert").list().getItems();
    assertThat(all).hasSizeGreaterThanOrEqualTo(4);
    for (ConfigMap cm : all) {
      assertThat(Pem.certificates(cm.getData().get("root-cert.pem")))
          .isEqualTo(Pem.certificates(roots));
      assertThat(cm.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager)
          .as(cm.getMetadata().getNamespace() + "/istio-ca-root-cert writers")
          .doesNotContain("pilot-discovery");
    }
  }

  /**
   * Pod demo/web-0, injected by istiod's webhook with the grpc-agent template: its pilot-agent
   * gets its certificate from Signet and its configuration from istiod. Returns the running
   * agent.
   */
  private static ProxylessAgent proxylessAgentGetsItsCertificateAndConfig(KubeTestCluster kube,
      FakeKubelet kubelet, Istiod istiod, Path bins, Path dir, CaFilesDir ca, Path hosts)
      throws Exception {
    String roots = ca.rootPem();
    // istiod patches its injection webhook with the CA bundle it serves with: Signet's roots.
    Poll.until(() -> caBundleIs(kube, roots), Duration.ofSeconds(60),
        "istiod put Signet's roots into its injection webhook");
    // No cluster DNS or Service routing for the API server: the webhook calls istiod by URL.
    kube.admin().admissionRegistration().v1().mutatingWebhookConfigurations()
        .withName("istio-sidecar-injector").edit(w -> {
          w.getWebhooks().forEach(h -> {
            h.getClientConfig().setService(null);
            h.getClientConfig().setUrl("https://localhost:" + istiod.webhookPort + "/inject");
          });
          return w;
        });
    // (In this order: createServiceAccount applies the namespace without labels.)
    kube.createServiceAccount("demo", "web");
    kube.createNamespace("demo", "istio-injection", "enabled");
    MeshPods.service(kube, "demo", "web", 7070);
    int statusPort = LocalProcess.freePort();
    Pod pod = MeshPods.create(kube, kubelet, "demo", "web-0", "web", "web", "10.244.0.10", 7070,
        statusPort, Map.of("PROXY_XDS_DEBUG_VIA_AGENT", "false"));
    ProxylessAgent agent = ProxylessAgent.start(kubelet, bins.resolve("pilot-agent"), pod, dir,
        hosts);
    try {
      Poll.until(() -> agent.wroteCertificates() || !agent.alive(), Duration.ofSeconds(90),
          "the agent wrote OUTPUT_CERTS");
      assertThat(agent.alive()).as("pilot-agent running").isTrue();
      List<X509Certificate> chain = Pem.certificates(
          Files.readString(agent.outputCerts().resolve("cert-chain.pem")));
      X509Certificate leaf = chain.get(0);
      List<String> sans = new ArrayList<>();
      leaf.getSubjectAlternativeNames().forEach(n -> sans.add(String.valueOf(n.get(1))));
      assertThat(sans).containsExactly("spiffe://cluster.local/ns/demo/sa/web");
      // Issued by Signet's files CA (only Signet holds its key; istiod's CA is off).
      X509Certificate signing = Pem.certificates(Files.readString(
          ca.directory().resolve("ca-cert.pem"))).get(0);
      leaf.verify(signing.getPublicKey());
      assertThat(Pem.certificates(Files.readString(
          agent.outputCerts().resolve("root-cert.pem")))).isEqualTo(Pem.certificates(roots));
      Poll.until(() -> Files.exists(agent.grpcBootstrap()), Duration.ofSeconds(30),
          "the agent wrote the gRPC xDS bootstrap");
      String bootstrap = Files.readString(agent.grpcBootstrap());
      // The application's certificates are the ones the agent got from Signet.
      assertThat(bootstrap).contains("\"certificate_providers\"")
          .contains("/var/lib/istio/data/cert-chain.pem");
      // XDS as the application gets it: through the agent, which talks to istiod over mutual
      // TLS (its Signet certificate; istiod's verified with the mesh root).
      String listener = "web.demo.svc.cluster.local:7070";
      XdsProbe.Response lds = XdsProbe.ask(agent.grpcBootstrap(), agent.launch.rootfs(),
          XdsProbe.LISTENER, List.of(listener), Duration.ofSeconds(60),
          () -> connected(istiod, "web-0.demo"));
      assertThat(lds.typeUrl()).isEqualTo(XdsProbe.LISTENER);
      assertThat(lds.names()).contains(listener);
      assertThat(lds.heldWhileOpen()).as("istiod lists web-0.demo as an XDS client").isTrue();
      Poll.until(() -> agent.ready(statusPort) == 200, Duration.ofSeconds(60),
          "pilot-agent ready");
      return agent;
    } catch (AssertionError | Exception e) {
      agent.close();
      throw new AssertionError(e + "\n--- pilot-agent log:\n" + agent.logTail()
          + "\n--- istiod log:\n" + istiod.logTail(), e);
    }
  }

  private static String tail(Path log) {
    try {
      List<String> lines = Files.readAllLines(log);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e.getMessage() + ")";
    }
  }

  private static boolean connected(Istiod istiod, String proxy) {
    try {
      return istiod.debug("/debug/connections").contains("\"" + proxy);
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private static boolean caBundleIs(KubeTestCluster kube, String roots) {
    MutatingWebhookConfiguration w = kube.admin().admissionRegistration().v1()
        .mutatingWebhookConfigurations().withName("istio-sidecar-injector").get();
    return w != null && w.getWebhooks().stream().allMatch(h -> h.getClientConfig().getCaBundle()
        != null && roots.equals(decodeText(h.getClientConfig().getCaBundle())));
  }

  private static ConfigMap rootConfigMap(KubeTestCluster kube, String ns) {
    return kube.admin().configMaps().inNamespace(ns).withName("istio-ca-root-cert").get();
  }

  private static Secret secret(KubeTestCluster kube) {
    return kube.admin().secrets().inNamespace("istio-system").withName("istiod-tls").get();
  }

  private static String decode(Secret s, String key) {
    return decodeText(s.getData().get(key));
  }

  private static String decodeText(String b64) {
    return new String(Base64.getDecoder().decode(b64), StandardCharsets.US_ASCII);
  }
}
