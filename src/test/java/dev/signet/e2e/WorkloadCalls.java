package dev.signet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.pki.Pem;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.LocalProcess;
import dev.signet.testing.Poll;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Two proxyless gRPC workloads in namespace echo, each with its pilot-agent, calling each other
 * over mTLS with the certificates Signet issued them: the server sees the client's SPIFFE
 * identity; PeerAuthentication decides whether a plaintext client gets through; and a
 * replacement of Signet's signing CA while the client calls (every call a new handshake) fails
 * no call, the agents renewing onto the new CA at their renewal time.
 */
final class WorkloadCalls {
  static final String NS = "echo";
  static final int PORT = 7070;
  static final String CLIENT_ID = "spiffe://cluster.local/ns/echo/sa/echo-client";
  static final String SERVER_ID = "spiffe://cluster.local/ns/echo/sa/echo-server";
  private static final Map<String, String> AGENT_ENV = Map.of("PROXY_XDS_DEBUG_VIA_AGENT",
      "false");

  private WorkloadCalls() {}

  /** The agents and apps of both pods, and what to print when something fails. */
  record Mesh(KubeTestCluster kube, FakeKubelet kubelet, Path bins, Path dir, Path hosts,
      PodNetwork network) {}

  static void run(Mesh m, CaFilesDir ca) throws Exception {
    m.kube().createNamespace(NS, "istio-injection", "enabled");
    for (String sa : List.of("echo-server", "echo-client")) {
      m.kube().admin().serviceAccounts().inNamespace(NS).resource(new ServiceAccountBuilder()
          .withNewMetadata().withName(sa).withNamespace(NS).endMetadata().build()).create();
    }
    MeshPods.service(m.kube(), NS, "echo-server", PORT);
    clientsUseIstioMutual(m.kube());
    String serverIp = m.network().add(20);
    Pod serverPod = MeshPods.create(m.kube(), m.kubelet(), NS, "echo-server-0", "echo-server",
        "echo-server", serverIp, PORT, LocalProcess.freePort(), AGENT_ENV);
    Pod clientPod = MeshPods.create(m.kube(), m.kubelet(), NS, "echo-client-0", "echo-client",
        "echo-client", m.network().add(21), PORT, LocalProcess.freePort(), AGENT_ENV);
    try (ProxylessAgent serverAgent = agent(m, serverPod);
        ProxylessAgent clientAgent = agent(m, clientPod);
        EchoApp server = EchoApp.server(m.kubelet(), m.bins(), serverPod, serverAgent, m.dir(),
            serverIp, PORT)) {
      try {
        Poll.until(Quietly.holds(() -> server.lines().stream()
                .anyMatch(l -> l.startsWith("serving-mode") && l.contains("SERVING")
                    && !l.contains("NOT_SERVING")) || !server.alive()),
            Duration.ofSeconds(90), "echo-server got its listener from istiod and serves");
        assertThat(server.alive()).as("echo-server running").isTrue();
        peerAuthenticationDecidesPlaintext(m, serverIp);
        callsSurviveASigningCaReplacement(m, ca, serverAgent, clientAgent, clientPod);
      } catch (AssertionError | Exception e) {
        throw new AssertionError(e + "\n--- echo-server:\n" + server.logTail()
            + "\n--- server agent:\n" + serverAgent.logTail() + "\n--- client agent:\n"
            + clientAgent.logTail(), e);
      }
    }
  }

  private static ProxylessAgent agent(Mesh m, Pod pod) throws Exception {
    ProxylessAgent agent = ProxylessAgent.start(m.kubelet(), m.bins().resolve("pilot-agent"),
        pod, m.dir(), m.hosts());
    Poll.until(Quietly.holds(() -> (agent.wroteCertificates()
            && Files.exists(agent.grpcBootstrap())) || !agent.alive()),
        Duration.ofSeconds(90), pod.getMetadata().getName() + "'s agent wrote its files");
    assertThat(agent.alive()).as(pod.getMetadata().getName() + "'s pilot-agent").isTrue();
    return agent;
  }

  /** DISABLE lets a plaintext client in; STRICT, which istiod pushes to the server, does not. */
  private static void peerAuthenticationDecidesPlaintext(Mesh m, String serverIp)
      throws IOException {
    String address = serverIp + ":" + PORT;
    peerAuthentication(m.kube(), "DISABLE");
    Poll.until(Quietly.holds(() -> EchoApp.plaintextCall(m.bins(), m.dir(), address)
            .startsWith("ok")), Duration.ofSeconds(60),
        "a plaintext call gets through under PeerAuthentication DISABLE");
    peerAuthentication(m.kube(), "STRICT");
    Poll.until(Quietly.holds(() -> EchoApp.plaintextCall(m.bins(), m.dir(), address)
            .startsWith("failed")), Duration.ofSeconds(60),
        "a plaintext call is refused under PeerAuthentication STRICT");
    assertThat(EchoApp.plaintextCall(m.bins(), m.dir(), address)).startsWith("failed")
        .contains("call failed");
  }

  private static void peerAuthentication(KubeTestCluster kube, String mode) {
    kube.admin().genericKubernetesResources("security.istio.io/v1", "PeerAuthentication")
        .inNamespace(NS).resource(new GenericKubernetesResourceBuilder()
            .withApiVersion("security.istio.io/v1").withKind("PeerAuthentication")
            .withNewMetadata().withName("default").withNamespace(NS).endMetadata()
            .addToAdditionalProperties("spec", Map.of("mtls", Map.of("mode", mode))).build())
        .forceConflicts().serverSideApply();
  }

  /**
   * Istio leaves mTLS off for proxyless gRPC clients unless a DestinationRule asks for it
   * (grpcgen's CDS: it cannot know the client uses xDS credentials), as its docs say.
   */
  private static void clientsUseIstioMutual(KubeTestCluster kube) {
    kube.admin().genericKubernetesResources("networking.istio.io/v1", "DestinationRule")
        .inNamespace(NS).resource(new GenericKubernetesResourceBuilder()
            .withApiVersion("networking.istio.io/v1").withKind("DestinationRule")
            .withNewMetadata().withName("echo-server").withNamespace(NS).endMetadata()
            .addToAdditionalProperties("spec", Map.of(
                "host", "echo-server." + NS + ".svc.cluster.local",
                "trafficPolicy", Map.of("tls", Map.of("mode", "ISTIO_MUTUAL")))).build())
        .forceConflicts().serverSideApply();
  }

  private static void callsSurviveASigningCaReplacement(Mesh m, CaFilesDir ca,
      ProxylessAgent serverAgent, ProxylessAgent clientAgent, Pod clientPod) throws Exception {
    Path stop = m.dir().resolve("echo-client.stop");
    try (EchoApp client = EchoApp.client(m.kubelet(), m.bins(), clientPod, clientAgent, m.dir(),
        "xds:///echo-server." + NS + ".svc.cluster.local:" + PORT, stop)) {
      Poll.until(Quietly.holds(() -> client.lines().stream().anyMatch(l -> l.startsWith(
          "call ok")) || !client.alive()), Duration.ofSeconds(90), "a first mTLS call");
      String first = client.lines().stream().filter(l -> l.startsWith("call ok")).findFirst()
          .orElseThrow(() -> new AssertionError("echo-client:\n" + client.logTail()));
      assertThat(first).contains("server-identity=" + SERVER_ID + " ")
          .contains("client-identity=" + CLIENT_ID + " ")
          .contains("server-issuer=\"CN=Signing CA,").contains("client-issuer=\"CN=Signing CA,");

      X509Certificate next = ca.replaceSigningCa("O=Signet E2E,CN=Signing CA 2");
      // Signet re-reads its files within a second; each agent renews at half of its
      // certificate's minute, from the new CA; the apps re-read the files within a second.
      Poll.until(Quietly.holds(() -> issuedBy(serverAgent, next) && issuedBy(clientAgent, next)),
          Duration.ofSeconds(120), "both agents renewed onto the new signing CA");
      Poll.until(Quietly.holds(() -> client.lines().stream().anyMatch(l -> l.startsWith("call ok")
              && l.contains("server-issuer=\"CN=Signing CA 2,")
              && l.contains("client-issuer=\"CN=Signing CA 2,"))),
          Duration.ofSeconds(60), "a call where both sides present the new CA's certificates");
      Files.writeString(stop, "");
      Poll.until(() -> !client.alive(), Duration.ofSeconds(30), "echo-client stopped");
      List<String> calls = client.lines().stream().filter(l -> l.startsWith("call "))
          .toList();
      List<String> sinceFirst = calls.subList(calls.indexOf(first), calls.size());
      assertThat(sinceFirst).as("calls from the first success on").noneMatch(
          l -> l.startsWith("call failed"));
      assertThat(sinceFirst).as("calls on the old CA's certificates, then the new one's")
          .anyMatch(l -> l.contains("client-issuer=\"CN=Signing CA,"))
          .anyMatch(l -> l.contains("client-issuer=\"CN=Signing CA 2,"));
      assertThat(sinceFirst).allMatch(l -> l.contains("client-identity=" + CLIENT_ID + " "));
      System.out.printf("echo-client: %d calls from the first success on, none failed; %d on"
          + " the new signing CA; %d failed before the first success%n", sinceFirst.size(),
          sinceFirst.stream().filter(l -> l.contains("client-issuer=\"CN=Signing CA 2,")).count(),
          calls.indexOf(first));
    }
  }

  private static boolean issuedBy(ProxylessAgent agent, X509Certificate ca) throws Exception {
    X509Certificate leaf = Pem.certificates(Files.readString(
        agent.outputCerts().resolve("cert-chain.pem"))).get(0);
    if (!leaf.getIssuerX500Principal().equals(ca.getSubjectX500Principal())) {
      return false;
    }
    leaf.verify(ca.getPublicKey());
    return true;
  }
}
