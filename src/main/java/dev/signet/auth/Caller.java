package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import dev.signet.spiffe.SpiffeId;
import java.util.Optional;

/**
 * An authenticated caller.
 *
 * @param identity the SPIFFE identity the caller holds
 * @param method how it proved it: "jwt", "client-cert", "tokenreview"
 * @param pod the pod name the credential was bound to, when known
 */
public record Caller(SpiffeId identity, String method, Optional<String> pod) {
  public Caller {
    requireNonNull(identity, "identity");
    requireNonNull(method, "method");
    requireNonNull(pod, "pod");
  }
}
