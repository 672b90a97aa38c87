package dev.signet.auth;

/**
 * Decides who sent a request. Implementations: offline JWT verification against a JWKS, TLS
 * client certificates issued by this CA, and Kubernetes TokenReview.
 */
public interface Authenticator {
  /**
   * The caller the credentials prove.
   *
   * @throws dev.signet.error.SignetException UNAUTHENTICATED when they prove nothing, with a
   *     message that says why and never quotes the credential; UNAVAILABLE when the backend
   *     that would decide cannot be reached
   */
  Caller authenticate(Credentials credentials);
}
