package dev.signet.auth;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Optional;

/**
 * What a request carried to prove who sent it.
 *
 * @param bearerToken the token of an {@code authorization: Bearer} header
 * @param peerCertificates the TLS client certificate chain, leaf first (empty if none)
 * @param clusterId the {@code ClusterID} header, empty for the local cluster
 */
public record Credentials(Optional<String> bearerToken, List<X509Certificate> peerCertificates,
    String clusterId) {
  public Credentials {
    peerCertificates = List.copyOf(peerCertificates);
    clusterId = clusterId == null ? "" : clusterId;
  }

  @Override
  public String toString() {
    // Never print the token.
    return "Credentials[token=" + (bearerToken.isPresent() ? "present" : "absent")
        + ", peerCertificates=" + peerCertificates.size() + ", clusterId=" + clusterId + "]";
  }
}
