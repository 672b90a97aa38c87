package dev.signet.auth;

import dev.signet.error.SignetException;

/**
 * Decides whether an authenticated caller may hold another identity for one request (Istio's
 * {@code ImpersonatedIdentity} metadata, sent by ztunnel for the workloads on its node).
 */
public interface Impersonation {
  /** The request metadata key that carries the requested SPIFFE ID. */
  String METADATA_KEY = "ImpersonatedIdentity";

  /** Refuses every impersonation: the default when no node accounts are trusted. */
  Impersonation NONE = (caller, clusterId, requested) -> {
    throw SignetException.unauthenticated("'" + caller.identity() + "' asked to impersonate "
        + "another identity, but no node accounts are trusted (auth.trusted-node-accounts)");
  };

  /**
   * The caller to issue for when {@code caller} asks for {@code requested}.
   *
   * @param clusterId the cluster the caller authenticated against ("" for the local one)
   * @throws SignetException UNAUTHENTICATED when not allowed, UNAVAILABLE when it cannot be
   *     decided right now
   */
  Caller impersonate(Caller caller, String clusterId, String requested);
}
