package dev.signet.kube;

import dev.signet.spiffe.SpiffeId;
import dev.signet.testing.LoopbackSignet;
import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.server.SignetServer;
import dev.signet.testing.KubeTestCluster;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * A real Signet (dev CA, gRPC over TLS on a loopback port) that talks to a real API server as
 * the service account of {@code deploy/kubernetes/rbac.yaml}, so every test also proves that
 * RBAC is enough.
 */
final class KubeSignet implements AutoCloseable {
  final Path dir;
  final SignetServer server;
  private final SignetClient client;

  private KubeSignet(Path dir, SignetServer server) throws IOException {
    this.dir = dir;
    this.server = server;
    this.client = SignetClient.connect("localhost", server.grpcPort(),
        dir.resolve("root-cert.pem").toFile());
  }

  /** Applies deploy/kubernetes/rbac.yaml and returns a kubeconfig for Signet's account. */
  static Path signetKubeconfig(KubeTestCluster cluster, String name) throws IOException {
    KubernetesClient admin = cluster.admin();
    cluster.createNamespace("signet-system");
    cluster.createNamespace("istio-system");
    try (InputStream in = Files.newInputStream(Path.of("deploy", "kubernetes", "rbac.yaml"))) {
      for (HasMetadata item : admin.load(in).items()) {
        admin.resource(item).serverSideApply();
      }
    }
    // A token for the Kubernetes API itself (the API server's own audience).
    String token = cluster.token("signet-system", "signet", "https://kubernetes.default.svc",
        Optional.empty(), Duration.ofHours(1));
    return cluster.kubeconfig(name, token);
  }

  /** The SPIFFE ID of {@code ns/sa} in the tests' trust domain. */
  static String id(String ns, String sa) {
    return SpiffeId.of("cluster.local", ns, sa).toString();
  }

  /** Starts Signet in dev mode (its own CA) with the given settings. */
  static KubeSignet start(Path dir, String... settings) throws IOException {
    return new KubeSignet(dir, SignetServer.start(LoopbackSignet.config(dir, settings)));
  }

  /** Asks for a certificate for {@code identity} as istio-agent would. */
  List<String> request(String identity, String token, String clusterId) throws Exception {
    return request(identity, token, clusterId, null);
  }

  /** Asks as ztunnel does, optionally impersonating {@code impersonated}. */
  List<String> request(String identity, String token, String clusterId, String impersonated)
      throws Exception {
    KeyPair keys = CsrBuilder.ecP256();
    IstioCertificateRequest.Builder r = IstioCertificateRequest.newBuilder()
        .setCsr(CsrBuilder.istioAgent(keys, identity)).setValidityDuration(3600);
    if (impersonated != null) {
      r.setMetadata(Struct.newBuilder().putFields("ImpersonatedIdentity",
          Value.newBuilder().setStringValue(impersonated).build()));
    }
    return client.createCertificate(r.build(), token, clusterId, Duration.ofSeconds(30));
  }

  /** A meter's count from the Prometheus registry (counter or timer), 0 when absent. */
  double count(String name, String... tags) {
    var search = server.registry().find(name).tags(tags);
    if (search.counter() != null) {
      return search.counter().count();
    }
    return search.timer() == null ? 0 : search.timer().count();
  }

  @Override
  public void close() {
    client.close();
    server.close();
  }
}
