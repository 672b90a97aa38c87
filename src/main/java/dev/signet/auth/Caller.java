package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import dev.signet.spiffe.SpiffeId;
import java.util.Optional;

/**
 * An authenticated caller.
 *
 * @param identity the SPIFFE identity the caller holds
 * @param method how it proved it: "jwt", "client-cert", "tokenreview"; an impersonated caller's
 *     method names the node account that asked for it
 * @param pod the pod name the credential was bound to, when known
 * @param podUid the UID of that pod, when known (TokenReview's {@code user.extra})
 */
public record Caller(SpiffeId identity, String method, Optional<String> pod,
    Optional<String> podUid) {
  public Caller {
    requireNonNull(identity, "identity");
    requireNonNull(method, "method");
    requireNonNull(pod, "pod");
    requireNonNull(podUid, "podUid");
  }

  /** A caller whose pod UID is not known. */
  public Caller(SpiffeId identity, String method, Optional<String> pod) {
    this(identity, method, pod, Optional.empty());
  }
}
