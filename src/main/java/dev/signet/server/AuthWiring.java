package dev.signet.server;

import dev.signet.auth.AuthGate;
import dev.signet.auth.Authenticator;
import dev.signet.auth.CachingAuthenticator;
import dev.signet.auth.ClusterAuthenticator;
import dev.signet.auth.Impersonation;
import dev.signet.auth.JwtAuthenticator;
import dev.signet.auth.TokenPrecheck;
import dev.signet.config.SignetConfig;
import dev.signet.config.SignetConfig.Auth;
import dev.signet.config.SignetConfig.AuthCache;
import dev.signet.config.SignetConfig.AuthKind;
import dev.signet.config.SignetConfig.Cluster;
import dev.signet.config.SignetConfig.Jwt;
import dev.signet.crypto.CryptoProvider;
import dev.signet.kube.KubeClients;
import dev.signet.kube.NodeImpersonation;
import dev.signet.kube.PodIndex;
import dev.signet.kube.TokenReviewAuthenticator;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Builds the token authenticator of every configured cluster and owns the API-server clients
 * it opened: one per cluster that uses TokenReview, plus the local one when a Kubernetes duty
 * needs it.
 */
final class AuthWiring implements AutoCloseable {
  private final Map<String, KubernetesClient> clients = new LinkedHashMap<>();
  private final SignetConfig config;
  private final List<PodIndex> indexes = new ArrayList<>();
  private Authenticator tokens;
  private AuthGate gate;
  private Impersonation impersonation = Impersonation.NONE;

  private final MeterRegistry registry;
  private final CryptoProvider crypto;

  private AuthWiring(SignetConfig config, MeterRegistry registry, CryptoProvider crypto) {
    this.config = config;
    this.registry = registry;
    this.crypto = crypto;
  }

  /** Opens the clients and builds the cluster-selecting token authenticator. */
  static AuthWiring create(SignetConfig config, MeterRegistry registry, CryptoProvider crypto)
      throws IOException {
    AuthWiring w = new AuthWiring(config, registry, crypto);
    try {
      w.build();
      return w;
    } catch (IOException | RuntimeException e) {
      w.close();
      throw e;
    }
  }

  private void build() throws IOException {
    Auth auth = config.auth();
    gate = new AuthGate(auth.pool(), auth.peer(), registry);
    Authenticator local = auth.kind() == AuthKind.TOKENREVIEW
        ? cached(auth.clusterId(), auth.kind(), auth.tokenReview().issuer(),
            tokenReview(auth.clusterId(), config.kubernetes().kubeconfig()))
        : cached(auth.clusterId(), auth.kind(), auth.jwt().issuer(), jwt(auth.jwt()));
    Map<String, Authenticator> remote = new LinkedHashMap<>();
    for (Cluster c : auth.clusters()) {
      remote.put(c.id(), cached(c.id(), c.kind(), c.jwt().issuer(),
          c.kind() == AuthKind.TOKENREVIEW ? tokenReview(c.id(), c.kubeconfig()) : jwt(c.jwt())));
    }
    String td = config.issuance().trustDomain();
    tokens = new ClusterAuthenticator(auth.clusterId(), local, remote);
    if (!auth.trustedNodeAccounts().isEmpty()) {
      Map<String, PodIndex> byCluster = new LinkedHashMap<>();
      byCluster.put(auth.clusterId(), watch(localClient()));
      for (Cluster c : auth.clusters()) {
        if (c.kubeconfig().isPresent()) {
          byCluster.put(c.id(), watch(client(c.id(), c.kubeconfig())));
        }
      }
      impersonation = new NodeImpersonation(auth.trustedNodeAccounts(), td, byCluster,
          auth.clusterId());
    }
  }

  private PodIndex watch(KubernetesClient client) {
    PodIndex index = PodIndex.start(client);
    indexes.add(index);
    return index;
  }

  /** Who may impersonate whom ({@link Impersonation#NONE} without trusted node accounts). */
  Impersonation impersonation() {
    return impersonation;
  }

  /**
   * Every cluster's token check sits behind the one token cache (auth.cache.*), and the cheap
   * local checks run before it ever does (a cached verdict needs neither).
   *
   * @param issuer the issuer the precheck expects; empty: not checked there
   */
  private Authenticator cached(String cluster, AuthKind kind, String issuer,
      Authenticator check) {
    AuthCache cache = config.auth().cache();
    Authenticator prechecked = new TokenPrecheck(check, config.auth().audiences(),
        Optional.of(issuer), Clock.systemUTC());
    return new CachingAuthenticator(prechecked, cache.maxTtl(), cache.negativeTtl(),
        cache.maxEntries(), Clock.systemUTC(), registry,
        Tags.of("cluster", cluster, "method", kind.name().toLowerCase(Locale.ROOT)));
  }

  /** Admission of first token checks: their pool and the per-peer limits (auth.pool/peer.*). */
  AuthGate gate() {
    return gate;
  }

  private Authenticator jwt(Jwt jwt) throws IOException {
    return JwtAuthenticator.create(jwt, config.auth().audiences(),
        config.issuance().trustDomain(), crypto);
  }

  private Authenticator tokenReview(String id, Optional<Path> kubeconfig) throws IOException {
    return new TokenReviewAuthenticator(id, client(id, kubeconfig), config.auth().audiences(),
        config.issuance().trustDomain(), registry);
  }

  /** The client of cluster {@code id}, opened on first use. */
  KubernetesClient client(String id, Optional<Path> kubeconfig) throws IOException {
    KubernetesClient c = clients.get(id);
    if (c == null) {
      try {
        c = KubeClients.create(kubeconfig, config.auth().tokenReview().timeout());
      } catch (IOException e) {
        throw new IOException("cluster '" + id + "': " + e.getMessage(), e);
      }
      clients.put(id, c);
    }
    return c;
  }

  /** The local cluster's client, opened on first use. */
  KubernetesClient localClient() throws IOException {
    return client(config.auth().clusterId(), config.kubernetes().kubeconfig());
  }

  /** Clients of the clusters that use TokenReview (and the local one if opened), by id. */
  Map<String, KubernetesClient> clients() {
    return Map.copyOf(clients);
  }

  /** The cluster-selecting token authenticator. */
  Authenticator tokens() {
    return tokens;
  }

  @Override
  public void close() {
    if (gate != null) {
      gate.close();
    }
    indexes.forEach(PodIndex::close);
    indexes.clear();
    clients.values().forEach(KubernetesClient::close);
    clients.clear();
  }
}
