package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * What a request carried to prove who sent it: the token of an {@code authorization: Bearer}
 * header, the TLS client certificate chain (leaf first, empty if none), the {@code ClusterID}
 * header (empty for the local cluster), and the peer it came from (for per-peer limits).
 *
 * <p>The certificate chain is read from the TLS session only when an authenticator asks for it
 * (a token, when sent, decides, and a session without a client certificate throws when asked).
 *
 * <p>An authenticator that answers {@link Authenticator#answersAtOnce at once} pins that answer
 * here, so the request gets exactly the answer its dispatch was decided on even if a cache entry
 * expires in between: a call kept on the transport thread never falls through to a blocking
 * check.
 */
public final class Credentials {
  private final Optional<String> bearerToken;
  private final Supplier<List<X509Certificate>> peerSource;
  private final String clusterId;
  private final String peer;
  private List<X509Certificate> peerCertificates;
  /** The key of the bearer token, once computed. */
  private TokenKey tokenKey;
  /** The answer decided at dispatch, when one was (caller, or a thrown refusal). */
  private Supplier<Caller> pinned;

  public Credentials(Optional<String> bearerToken, List<X509Certificate> peerCertificates,
      String clusterId) {
    this(bearerToken, () -> peerCertificates, clusterId, "");
  }

  private Credentials(Optional<String> bearerToken, Supplier<List<X509Certificate>> peerSource,
      String clusterId, String peer) {
    this.bearerToken = requireNonNull(bearerToken, "bearerToken");
    this.peerSource = requireNonNull(peerSource, "peerSource");
    this.clusterId = clusterId == null ? "" : clusterId;
    this.peer = peer == null ? "" : peer;
  }

  /**
   * Credentials whose certificate chain is fetched from {@code peers} on first use.
   *
   * @param peer the remote address the limits of {@link AuthGate} count by; empty if unknown
   */
  public static Credentials withLazyPeers(Optional<String> bearerToken,
      Supplier<List<X509Certificate>> peers, String clusterId, String peer) {
    return new Credentials(bearerToken, peers, clusterId, peer);
  }

  /** Credentials with a bearer token from {@code peer}, without a certificate chain. */
  public static Credentials ofToken(String token, String clusterId, String peer) {
    return new Credentials(Optional.of(token), List::of, clusterId, peer);
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

  /** Who sent the request, as the per-peer limits count it; empty when unknown. */
  public String peer() {
    return peer;
  }

  /**
   * The key of the bearer token (with the cluster id), computed once per request: the dispatch
   * decision, the token cache and the per-peer limits all ask.
   *
   * @throws java.util.NoSuchElementException without a bearer token
   */
  synchronized TokenKey tokenKey() {
    if (tokenKey == null) {
      tokenKey = TokenKey.of(clusterId, bearerToken.orElseThrow());
    }
    return tokenKey;
  }

  /** Pins the answer decided at dispatch; the first pin wins. */
  synchronized void pin(Supplier<Caller> answer) {
    if (pinned == null) {
      pinned = requireNonNull(answer, "answer");
    }
  }

  /** The answer pinned at dispatch, if any. */
  synchronized Optional<Supplier<Caller>> pinned() {
    return Optional.ofNullable(pinned);
  }

  @Override
  public String toString() {
    // Never print the token; nor read the session for a log line.
    return "Credentials[token=" + (bearerToken.isPresent() ? "present" : "absent")
        + ", clusterId=" + clusterId + "]";
  }
}
