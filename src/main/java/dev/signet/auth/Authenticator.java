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

  /**
   * Whether {@link #authenticate} will answer for these credentials without waiting on I/O (an
   * API server, a JWKS download): then the request may run on the transport thread instead of
   * being handed to a worker. A refusal decided at once counts as an answer. The default, false,
   * is always safe.
   */
  default boolean answersAtOnce(Credentials credentials) {
    return false;
  }
}
