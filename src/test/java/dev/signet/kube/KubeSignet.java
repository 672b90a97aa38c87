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
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBindingBuilder;
import io.fabric8.kubernetes.api.model.rbac.RoleBuilder;
import io.fabric8.kubernetes.api.model.rbac.Subject;
import io.fabric8.kubernetes.api.model.rbac.SubjectBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A real Signet (dev CA, gRPC over TLS on a loopback port) that talks to a real API server as
 * the service account of {@code deploy/kubernetes/rbac.yaml}, so every test also proves that
 * RBAC is enough.
 */
public final class KubeSignet implements AutoCloseable {
  /** One client, so polling reuses one kept-alive connection (the admin port caps them per peer). */
  private static final HttpClient HTTP = HttpClient.newHttpClient();
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
  public static Path signetKubeconfig(KubeTestCluster cluster, String name) throws IOException {
    KubernetesClient admin = cluster.admin();
    cluster.createNamespace("signet-system");
    cluster.createNamespace("istio-system");
    try (InputStream in = Files.newInputStream(Path.of("deploy", "kubernetes", "rbac.yaml"))) {
      for (HasMetadata item : admin.load(in).items()) {
        admin.resource(item).serverSideApply();
      }
    }
    return accountKubeconfig(cluster, "signet", name);
  }

  /**
   * What rbac.yaml grants for the trust bundle ConfigMap, for another name (Istio's
   * {@code global.trustBundleName}): its ConfigMap verbs are limited to the default name.
   */
  public static void allowTrustBundleName(KubeTestCluster cluster, String configMap) {
    KubernetesClient admin = cluster.admin();
    String role = "signet-trust-bundle-" + configMap;
    admin.resource(new ClusterRoleBuilder().withNewMetadata().withName(role).endMetadata()
        .addNewRule().withApiGroups("").withResources("configmaps").withResourceNames(configMap)
        .withVerbs("get", "list", "watch", "update", "patch").endRule().build())
        .serverSideApply();
    admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(role)
        .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", role)
        .withSubjects(new SubjectBuilder().withKind("ServiceAccount").withName("signet")
            .withNamespace("signet-system").build())
        .build()).serverSideApply();
  }

  /**
   * Service account signet-system/{@code account}, allowed to campaign for the Lease
   * {@code <account>-leader} (the leader-election Role of rbac.yaml, for that name) and to read
   * namespaces and ConfigMaps, but not to create, update or patch ConfigMaps; its kubeconfig.
   */
  static Path configMapReaderKubeconfig(KubeTestCluster cluster, String account)
      throws IOException {
    KubernetesClient admin = cluster.admin();
    cluster.createServiceAccount("signet-system", account);
    admin.resource(new ClusterRoleBuilder().withNewMetadata().withName(account).endMetadata()
        .addNewRule().withApiGroups("").withResources("namespaces", "configmaps")
        .withVerbs("get", "list", "watch").endRule().build()).serverSideApply();
    Subject subject = new SubjectBuilder().withKind("ServiceAccount").withName(account)
        .withNamespace("signet-system").build();
    admin.resource(new ClusterRoleBindingBuilder().withNewMetadata().withName(account)
        .endMetadata().withNewRoleRef("rbac.authorization.k8s.io", "ClusterRole", account)
        .withSubjects(subject).build()).serverSideApply();
    admin.resource(new RoleBuilder().withNewMetadata().withName(account)
        .withNamespace("signet-system").endMetadata()
        .addNewRule().withApiGroups("coordination.k8s.io").withResources("leases")
        .withVerbs("create").endRule()
        .addNewRule().withApiGroups("coordination.k8s.io").withResources("leases")
        .withResourceNames(account + "-leader").withVerbs("get", "update", "patch").endRule()
        .build()).serverSideApply();
    admin.resource(new RoleBindingBuilder().withNewMetadata().withName(account)
        .withNamespace("signet-system").endMetadata()
        .withNewRoleRef("rbac.authorization.k8s.io", "Role", account)
        .withSubjects(subject).build()).serverSideApply();
    return accountKubeconfig(cluster, account, account);
  }

  /** A kubeconfig with a token of signet-system/{@code account} for the Kubernetes API. */
  private static Path accountKubeconfig(KubeTestCluster cluster, String account, String name)
      throws IOException {
    // A token for the Kubernetes API itself (the API server's own audience).
    String token = cluster.token("signet-system", account, "https://kubernetes.default.svc",
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

  /** What Prometheus scrapes from the admin port's /metrics. */
  String scrape() {
    try {
      return HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + server.adminPort() + "/metrics")).build(),
          HttpResponse.BodyHandlers.ofString()).body();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /**
   * The value of the scraped sample {@code name} that carries every label of {@code labels}
   * ({@code "key", "value", ...}); NaN when /metrics has none.
   */
  double scraped(String name, String... labels) {
    Pattern sample = Pattern.compile("(?m)^" + Pattern.quote(name) + "(\\{[^}]*})? (\\S+)$");
    Matcher m = sample.matcher(scrape());
    while (m.find()) {
      String found = m.group(1) == null ? "" : m.group(1);
      boolean all = true;
      for (int i = 0; i < labels.length; i += 2) {
        all &= found.contains(labels[i] + "=\"" + labels[i + 1] + "\"");
      }
      if (all) {
        return Double.parseDouble(m.group(2));
      }
    }
    return Double.NaN;
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
