package dev.signet.auth;

import dev.signet.error.SignetException;
import java.util.Optional;

/**
 * A bearer token, when sent, decides; without one, a client certificate this CA issued may
 * renew its own identity (when enabled). No credential at all is UNAUTHENTICATED.
 */
public final class CompositeAuthenticator implements Authenticator {
  private final Authenticator tokens;
  private final Optional<Authenticator> certificates;

  public CompositeAuthenticator(Authenticator tokens, Optional<Authenticator> certificates) {
    this.tokens = tokens;
    this.certificates = certificates;
  }

  @Override
  public Caller authenticate(Credentials credentials) {
    if (credentials.bearerToken().isPresent()) {
      return tokens.authenticate(credentials);
    }
    if (!credentials.peerCertificates().isEmpty() && certificates.isPresent()) {
      return certificates.get().authenticate(credentials);
    }
    throw noCredentials();
  }

  @Override
  public boolean answersAtOnce(Credentials credentials) {
    if (credentials.bearerToken().isPresent()) {
      return tokens.answersAtOnce(credentials);
    }
    // A client certificate is checked against the CA in memory; no credential is refused.
    return true;
  }

  private SignetException noCredentials() {
    return SignetException.unauthenticated("no credentials: send 'authorization: Bearer <token>' "
        + "with a service-account token"
        + (certificates.isPresent() ? ", or a client certificate this CA issued" : ""));
  }
}
