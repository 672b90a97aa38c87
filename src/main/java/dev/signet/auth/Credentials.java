package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a request carried to prove who sent it: the token of an {@code authorization: Bearer}
 * header, the TLS client certificate chain (leaf first, empty if none), and the
 * {@code ClusterID} header (empty for the local cluster).
 *
 * <p>The certificate chain is read from the TLS session only when an authenticator asks for it
 * (a token, when sent, decides, and a session without a client certificate throws when asked).
 */
public final class Credentials {
  private final Optional<String> bearerToken;
  private final Supplier<List<X509Certificate>> peerSource;
  private final String clusterId;
  private List<X509Certificate> peerCertificates;
  /** The token cache's key for these credentials, once computed (CachingAuthenticator). */
  private Object cacheKey;

  public Credentials(Optional<String> bearerToken, List<X509Certificate> peerCertificates,
      String clusterId) {
    this(bearerToken, () -> peerCertificates, clusterId);
  }

  private Credentials(Optional<String> bearerToken, Supplier<List<X509Certificate>> peerSource,
      String clusterId) {
    this.bearerToken = requireNonNull(bearerToken, "bearerToken");
    this.peerSource = requireNonNull(peerSource, "peerSource");
    this.clusterId = clusterId == null ? "" : clusterId;
  }

  /** Credentials whose certificate chain is fetched from {@code peers} on first use. */
  public static Credentials withLazyPeers(Optional<String> bearerToken,
      Supplier<List<X509Certificate>> peers, String clusterId) {
    return new Credentials(bearerToken, peers, clusterId);
  }

  public Optional<String> bearerToken() {
    return bearerToken;
  }

  /** The TLS client certificate chain, leaf first; empty without one. */
  public synchronized List<X509Certificate> peerCertificates() {
    if (peerCertificates == null) {
      peerCertificates = List.copyOf(peerSource.get());
    }
    return peerCertificates;
  }

  public String clusterId() {
    return clusterId;
  }

  /** The cache key computed by {@code compute} once, then remembered for these credentials. */
  synchronized Object cacheKey(Supplier<Object> compute) {
    if (cacheKey == null) {
      cacheKey = compute.get();
    }
    return cacheKey;
  }

  @Override
  public String toString() {
    // Never print the token; nor read the session for a log line.
    return "Credentials[token=" + (bearerToken.isPresent() ? "present" : "absent")
        + ", clusterId=" + clusterId + "]";
  }
}
