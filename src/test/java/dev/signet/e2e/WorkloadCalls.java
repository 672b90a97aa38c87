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
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * Two proxyless gRPC workloads in namespace echo, each with its pilot-agent, calling each other
 * over mTLS with the certificates Signet issued them: the server sees the client's SPIFFE
 * identity; PeerAuthentication decides whether a plaintext client gets through; and changes of
 * Signet's signing CA while the client calls (every call a new handshake, {@link CaChange}) fail
 * no call, the agents renewing onto each new CA at their renewal time.
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

  static void run(Mesh m, List<CaChange> changes) throws Exception {
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
        callsSurviveSigningCaChanges(m, changes, serverAgent, clientAgent, clientPod);
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

  /**
   * echo-client calls (every call a new handshake) while each of {@code changes} is made in turn:
   * both agents renew onto the new CA at their renewal time, with chains that verify to the root,
   * which does not change; then a call is seen where both sides present leaves of the new CA.
   * From the first successful call to the end, no call fails.
   */
  private static void callsSurviveSigningCaChanges(Mesh m, List<CaChange> changes,
      ProxylessAgent serverAgent, ProxylessAgent clientAgent, Pod clientPod) throws Exception {
    X509Certificate root = root(m.kube());
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
      List<String> summary = new ArrayList<>();
      for (CaChange change : changes) {
        List<AgentCerts> before = List.of(AgentCerts.of(serverAgent),
            AgentCerts.of(clientAgent));
        for (AgentCerts c : before) {
          c.verify(root);
        }
        long started = System.nanoTime();
        CaChange.Renewed renewed = change.apply(before);
        List<String> badChains = new ArrayList<>();
        try {
          Poll.until(Quietly.holds(() -> onNewCa(serverAgent, renewed, root, badChains)
                  & onNewCa(clientAgent, renewed, root, badChains)), Duration.ofSeconds(150),
              "both agents renewed onto the new CA (" + change.name() + ")");
        } catch (AssertionError e) {
          throw new AssertionError(e.getMessage() + "; chains that did not verify: "
              + badChains.stream().distinct().toList(), e);
        }
        assertThat(badChains).as("chains the agents wrote that do not verify to the root ("
            + change.name() + ")").isEmpty();
        Set<String> keys = Stream.of(serverAgent, clientAgent).map(a -> {
          try {
            return AgentCerts.of(a).issuerKey();
          } catch (Exception e) {
            throw new IllegalStateException(e);
          }
        }).collect(Collectors.toSet());
        Poll.until(Quietly.holds(() -> client.lines().stream().anyMatch(l -> onKeys(l, keys))),
            Duration.ofSeconds(60), "a call where both sides present leaves of the new CA ("
                + change.name() + ")");
        assertThat(Pem.certificates(rootConfigMap(m.kube())))
            .as(NS + "/istio-ca-root-cert after: " + change.name()).containsExactly(root);
        assertThat(serverAgent.alive() && clientAgent.alive()).as("both agents running").isTrue();
        summary.add(String.format("%s: both sides on the new CA after %d s", change.name(),
            Duration.ofNanos(System.nanoTime() - started).toSeconds()));
      }
      Files.writeString(stop, "");
      Poll.until(() -> !client.alive(), Duration.ofSeconds(30), "echo-client stopped");
      List<String> calls = client.lines().stream().filter(l -> l.startsWith("call "))
          .toList();
      List<String> sinceFirst = calls.subList(calls.indexOf(first), calls.size());
      assertThat(sinceFirst).as("calls from the first success on").noneMatch(
          l -> l.startsWith("call failed"));
      assertThat(sinceFirst).allMatch(l -> l.contains("client-identity=" + CLIENT_ID + " "));
      System.out.printf("echo-client: %d calls from the first success on, none failed; %d"
          + " failed before the first success; %s%n", sinceFirst.size(), calls.indexOf(first),
          String.join("; ", summary));
    }
  }

  /**
   * Whether the agent's certificates are on the new CA: {@code renewed} holds, the leaf names
   * the chain's CA as its issuer key, and the chain verifies to {@code root}. A chain that does
   * not verify is noted in {@code bad}.
   */
  private static boolean onNewCa(ProxylessAgent agent, CaChange.Renewed renewed,
      X509Certificate root, List<String> bad) throws Exception {
    AgentCerts c = AgentCerts.of(agent);
    try {
      c.verify(root);
    } catch (GeneralSecurityException e) {
      bad.add(agent.outputCerts() + ": " + e.getMessage() + " "
          + c.chain().stream().map(x -> x.getSubjectX500Principal() + " #"
              + x.getSerialNumber().toString(16)).toList());
      return false;
    }
    return c.issuerKey().equals(AgentCerts.keyId(c.signing())) && renewed.test(c);
  }

  /** Whether a call line says both sides presented leaves signed by one of {@code keys}. */
  private static boolean onKeys(String line, Set<String> keys) {
    return line.startsWith("call ok") && keys.contains(field(line, "server-issuer-key"))
        && keys.contains(field(line, "client-issuer-key"));
  }

  private static String field(String line, String name) {
    int at = line.indexOf(" " + name + "=");
    if (at < 0) {
      return "";
    }
    int from = at + name.length() + 2;
    int to = line.indexOf(' ', from);
    return line.substring(from, to < 0 ? line.length() : to);
  }

  private static X509Certificate root(KubeTestCluster kube) throws Exception {
    List<X509Certificate> roots = Pem.certificates(rootConfigMap(kube));
    assertThat(roots).as(NS + "/istio-ca-root-cert").hasSize(1);
    return roots.get(0);
  }

  private static String rootConfigMap(KubeTestCluster kube) {
    return kube.admin().configMaps().inNamespace(NS).withName("istio-ca-root-cert").get()
        .getData().get("root-cert.pem");
  }
}
