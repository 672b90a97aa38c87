package dev.signet.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Signet's one typed configuration, validated when it is built by {@link ConfigLoader}. Every key
 * is documented in {@code docs/configuration.md}; the defaults are {@code server/config/signet.yaml}.
 */
public record SignetConfig(
    boolean dev, Server server, Issuance issuance, Auth auth, Ca ca, Crypto crypto,
    Kubernetes kubernetes, Log log) {

  /** The listeners and the request executor. */
  public record Server(
      String address,
      int grpcPort,
      int adminPort,
      List<String> dnsNames,
      Duration servingCertTtl,
      int maxConcurrentRequests,
      int workerThreads,
      Duration shutdownGrace,
      boolean reflection,
      Connections connections,
      Admin admin,
      WarmUp warmUp) {
    public Server {
      dnsNames = List.copyOf(dnsNames);
    }

    /** The number of request threads, resolving 0 to the number of cores. */
    public int effectiveWorkerThreads() {
      return workerThreads > 0 ? workerThreads : Runtime.getRuntime().availableProcessors();
    }

    /** The same settings with another number of request threads. */
    public Server withWorkerThreads(int threads) {
      return new Server(address, grpcPort, adminPort, dnsNames, servingCertTtl,
          maxConcurrentRequests, threads, shutdownGrace, reflection, connections, admin, warmUp);
    }
  }

  /**
   * Throwaway certificates Signet issues to a copy of itself before it reports ready, so that a
   * restart storm meets compiled code (0 requests: off).
   *
   * @param requests how many
   * @param maxTime the warm-up stops after this, however many were issued
   */
  public record WarmUp(int requests, Duration maxTime) {}

  /**
   * What one gRPC client may hold or do, so that no unauthenticated peer can exhaust the server.
   *
   * @param maxStreams concurrent calls per connection (HTTP/2 MAX_CONCURRENT_STREAMS)
   * @param maxResets RST_STREAM frames a client may send per {@code resetWindow} before GOAWAY
   * @param maxIdle a connection without calls for this long is closed (GOAWAY)
   * @param maxAge any connection is closed after this long, so clients rebalance
   * @param maxAgeGrace how long calls in flight may finish after {@code maxAge}
   * @param handshakeTimeout the TLS handshake must complete within this
   * @param requestTimeout a call must have sent its whole request (headers, message, end of
   *     stream) within this, or it is closed with DEADLINE_EXCEEDED
   * @param maxPendingRequests calls waiting for their request, across all connections; beyond it
   *     new calls are refused at once
   * @param eventLoops threads serving the connections' I/O (each connection is served by one of
   *     them); 0 resolves to {@link #effectiveEventLoops()}
   */
  public record Connections(int maxStreams, int maxResets, Duration resetWindow,
      Duration maxIdle, Duration maxAge, Duration maxAgeGrace, Duration handshakeTimeout,
      Duration requestTimeout, int maxPendingRequests, int eventLoops) {
    /** Event loops when none are configured: however few cores, a connection shares its loop. */
    static final int MIN_AUTO_EVENT_LOOPS = 16;

    /**
     * The number of event loops, resolving 0 to twice the cores and at least 16: a burst of work
     * on some connections (thousands of streams opened or expiring at once) then holds up only
     * the few other connections that share their loops, while the operating system interleaves
     * the loops.
     */
    public int effectiveEventLoops() {
      return eventLoops > 0 ? eventLoops
          : Math.max(MIN_AUTO_EVENT_LOOPS, 2 * Runtime.getRuntime().availableProcessors());
    }
  }

  /**
   * Bounds of the plain-HTTP admin listener.
   *
   * @param readTimeout a request must arrive whole within this of the connection opening or of
   *     the previous response
   * @param maxConnections open admin connections; more are closed at once
   * @param maxConnectionsPerPeer open admin connections from one IP address
   */
  public record Admin(Duration readTimeout, int maxConnections, int maxConnectionsPerPeer) {}

  /** The shape of issued workload certificates. */
  public record Issuance(String trustDomain, Duration defaultTtl, Duration minTtl, Duration maxTtl) {}

  /**
   * How callers are authenticated.
   *
   * @param kind how the local cluster's tokens are checked
   * @param clusterId the local cluster's id; an empty {@code clusterid} header also means it
   * @param clusters the other clusters whose workloads may call, by id
   * @param trustedNodeAccounts {@code namespace/service-account} of node agents (ztunnel) that
   *     may ask for another identity
   * @param clientCert renewal with a certificate this CA issued, without a token
   * @param cache how verified tokens are remembered, for every cluster and kind
   * @param pool the threads that run first token checks
   * @param peer the limits on first token checks per peer address
   */
  public record Auth(List<String> audiences, AuthKind kind, String clusterId, Jwt jwt,
      ClientCert clientCert, TokenReview tokenReview, List<Cluster> clusters,
      List<String> trustedNodeAccounts, AuthCache cache, AuthPool pool, PeerLimits peer) {
    public Auth {
      audiences = List.copyOf(audiences);
      clusters = List.copyOf(clusters);
      trustedNodeAccounts = List.copyOf(trustedNodeAccounts);
    }
  }

  /**
   * Renewal with a client certificate this CA issued.
   *
   * @param maxAge how long after its last token proof an identity may still be renewed with a
   *     certificate alone; renewed leaves end by then
   */
  public record ClientCert(boolean enabled, Duration maxAge) {}

  /**
   * How long and how many verified tokens are remembered; a zero TTL turns the cache off.
   * Refused tokens are remembered for {@code negativeTtl} (zero: not at all).
   */
  public record AuthCache(Duration maxTtl, int maxEntries, Duration negativeTtl) {}

  /** The bounded pool of first token checks (TokenReview, JWKS, signature), apart from signing. */
  public record AuthPool(int threads, int queue) {}

  /**
   * Per peer address: at most {@code maxPending} different tokens in check at once; after
   * {@code failureBurst} failed checks (earned back at that many per {@code coolDown}), no
   * check for {@code coolDown}.
   */
  public record PeerLimits(int maxPending, int failureBurst, Duration coolDown) {}

  /** How a cluster's service-account tokens are checked. */
  public enum AuthKind {
    /** Offline, against the issuer's keys (JWKS): no API-server round trip. */
    JWT,
    /** Kubernetes TokenReview against the cluster's API server. */
    TOKENREVIEW
  }

  /**
   * TokenReview tuning, shared by every cluster that uses it.
   *
   * @param issuer the {@code iss} the local cluster's tokens must carry, checked before any
   *     review; empty: not checked (the API server still checks it)
   */
  public record TokenReview(Duration timeout, String issuer) {}

  /**
   * Another cluster whose workloads call Signet with {@code clusterid: <id>}.
   *
   * @param kubeconfig how to reach its API server (TokenReview, impersonation checks); empty
   *     means in-cluster credentials
   * @param jwt its token keys, for {@link AuthKind#JWT}
   */
  public record Cluster(String id, AuthKind kind, Optional<Path> kubeconfig, Jwt jwt) {}

  /**
   * The local cluster's API server and the duties Signet takes over from istiod there.
   *
   * @param kubeconfig empty: in-cluster credentials
   * @param namespace Signet's own namespace (its Lease)
   */
  public record Kubernetes(Optional<Path> kubeconfig, String namespace,
      LeaderElection leaderElection, TrustBundle trustBundle, IstiodCert istiodCert) {
    /** True when a duty needs the local API server. */
    public boolean writes() {
      return trustBundle.enabled() || istiodCert.enabled();
    }
  }

  /** Kubernetes Lease leader election among replicas; only the leader writes. */
  public record LeaderElection(String leaseName, Duration leaseDuration, Duration renewDeadline,
      Duration retryPeriod) {}

  /**
   * The root ConfigMap in every namespace (or those the selector matches).
   *
   * @param name istio-ca-root-cert, or Istio's global.trustBundleName
   */
  public record TrustBundle(boolean enabled, String namespaceSelector, String name) {}

  /**
   * istiod's serving certificate in Secret istiod-tls.
   *
   * @param revisions the istiod revisions installed (empty: the default one only)
   * @param dnsNames further names, e.g. istiod's ISTIOD_CUSTOM_HOST
   */
  public record IstiodCert(boolean enabled, String namespace, List<String> revisions,
      List<String> dnsNames, Duration ttl) {
    public IstiodCert {
      revisions = List.copyOf(revisions);
      dnsNames = List.copyOf(dnsNames);
    }
  }

  /** Offline verification of service-account JWTs against a key set. */
  public record Jwt(String issuer, Optional<Path> jwksFile, Optional<URI> jwksUrl) {
    @Override
    public String toString() {
      return "Jwt[issuer=" + issuer + ", jwksFile=" + jwksFile + ", jwksUrl="
          + jwksUrl.map(SignetConfig::redacted) + "]";
    }
  }

  /**
   * {@code u} without the credentials a URL can carry: user information ({@code user:pass@})
   * becomes {@code ***@}, and a query string {@code ?***}. For printing and logging a URL.
   */
  public static String redacted(URI u) {
    StringBuilder sb = new StringBuilder();
    if (u.getScheme() != null) {
      sb.append(u.getScheme()).append("://");
    }
    if (u.getRawUserInfo() != null) {
      sb.append("***@");
    }
    if (u.getHost() != null) {
      sb.append(u.getHost());
    }
    if (u.getPort() >= 0) {
      sb.append(':').append(u.getPort());
    }
    if (u.getRawPath() != null) {
      sb.append(u.getRawPath());
    }
    if (u.getRawQuery() != null) {
      sb.append("?***");
    }
    return sb.toString();
  }

  /** Where the signing key and certificate come from. */
  public record Ca(CaSourceKind source, Path filesDirectory, Duration filesReloadInterval,
      Path devDirectory, Vault vault) {}

  /** The kinds of CA source. */
  public enum CaSourceKind {
    FILES,
    DEV,
    VAULT_TRANSIT,
    VAULT_KV,
    VAULT_PKI
  }

  /** Access to Vault (or OpenBao) and the three custody models. */
  public record Vault(URI address, Optional<Path> caFile, Duration timeout, int maxRetries,
      VaultAuth auth, Transit transit, Kv kv, Pki pki) {
    @Override
    public String toString() {
      return "Vault[address=" + redacted(address) + ", caFile=" + caFile + ", timeout="
          + timeout + ", maxRetries=" + maxRetries + ", auth=" + auth + ", transit=" + transit
          + ", kv=" + kv + ", pki=" + pki + "]";
    }
  }

  /**
   * How Signet logs in to Vault. Holds file paths and the AppRole role id (which
   * {@link #toString} hides), never a secret itself.
   */
  public record VaultAuth(VaultAuthMethod method, Optional<Path> tokenFile, String mount,
      String role, Path jwtFile, String roleId, Optional<Path> secretIdFile) {
    /** The auth mount: the configured one, else the method's default path. */
    public String effectiveMount() {
      return !mount.isEmpty() ? mount : method.name().toLowerCase(java.util.Locale.ROOT);
    }

    /** The role id is half of an AppRole credential: never printed. */
    @Override
    public String toString() {
      return "VaultAuth[method=" + method + ", tokenFile=" + tokenFile + ", mount=" + mount
          + ", role=" + role + ", jwtFile=" + jwtFile + ", roleId="
          + (roleId.isEmpty() ? "" : "***") + ", secretIdFile=" + secretIdFile + "]";
    }
  }

  /** Vault login methods. */
  public enum VaultAuthMethod {
    TOKEN,
    KUBERNETES,
    APPROLE
  }

  /** vault-transit: the CA key never leaves Vault; signatures are batched. */
  public record Transit(String mount, String key, Duration batchWindow, int maxBatch,
      int maxQueued, ChainSource chainSource, Duration pollInterval) {}

  /** Where vault-transit finds the (public) CA certificate and chain. */
  public enum ChainSource {
    KV,
    FILES
  }

  /** vault-kv: key and chain in a KV v2 secret, polled for new versions. */
  public record Kv(String mount, String path, Duration pollInterval) {}

  /** vault-pki: Signet's own key, its signing certificate from Vault's PKI engine. */
  public record Pki(String mount, String commonName, Duration ttl, double renewRemaining,
      PkiKey keySource, String transitKey) {}

  /** Where vault-pki's signing key lives. */
  public enum PkiKey {
    /** Generated in Signet's memory at each renewal. */
    MEMORY,
    /** A Transit key (ca.vault.transit.mount); the CSR comes from Transit's keys/<k>/csr. */
    TRANSIT
  }

  /** The crypto provider choice. */
  public record Crypto(ProviderChoice provider) {}

  /**
   * The process's log lines.
   *
   * @param level the least severe level written
   * @param format one line of text per record, or one JSON object per line
   */
  public record Log(LogLevel level, LogFormat format) {}

  /** Log levels by their usual names (java.util.logging's in brackets). */
  public enum LogLevel {
    /** Failures only [SEVERE]. */
    ERROR(java.util.logging.Level.SEVERE),
    /** Failures and what an operator should look at [WARNING]. */
    WARN(java.util.logging.Level.WARNING),
    /** Start, stop, every certificate (audit) and every refusal, rate-limited [INFO]. */
    INFO(java.util.logging.Level.INFO),
    /** Why each request went the way it did [FINE]. */
    DEBUG(java.util.logging.Level.FINE),
    /** Everything libraries say too [FINEST]. */
    TRACE(java.util.logging.Level.FINEST);

    private final java.util.logging.Level julLevel;

    LogLevel(java.util.logging.Level julLevel) {
      this.julLevel = julLevel;
    }

    /** The java.util.logging level. */
    public java.util.logging.Level julLevel() {
      return julLevel;
    }
  }

  /** How a log record is written. */
  public enum LogFormat {
    /** {@code 2026-11-29T04:12:12.705Z INFO signet.audit: issued serial=...} */
    TEXT,
    /** {@code {"time":"...","level":"INFO","logger":"signet.audit","message":"issued ..."}} */
    JSON
  }

  /** Which JCA provider signs and verifies. */
  public enum ProviderChoice {
    AUTO,
    NATIVE,
    BOUNCYCASTLE,
    JDK
  }
}
