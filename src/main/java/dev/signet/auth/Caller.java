package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import dev.signet.spiffe.SpiffeId;
import java.time.Instant;
import java.util.Optional;

/**
 * An authenticated caller.
 *
 * @param identity the SPIFFE identity the caller holds
 * @param method how it proved it: "jwt", "client-cert", "tokenreview"; an impersonated caller's
 *     method names the node account that asked for it
 * @param pod the pod name the credential was bound to, when known
 * @param podUid the UID of that pod, when known (TokenReview's {@code user.extra})
 * @param proofTime when the identity was last proved with a token, for a caller that renews
 *     with a certificate (carried forward from certificate to certificate); empty when a token
 *     was checked for this request
 */
public record Caller(SpiffeId identity, String method, Optional<String> pod,
    Optional<String> podUid, Optional<Instant> proofTime) {
  public Caller {
    requireNonNull(identity, "identity");
    requireNonNull(method, "method");
    requireNonNull(pod, "pod");
    requireNonNull(podUid, "podUid");
    requireNonNull(proofTime, "proofTime");
  }

  /** A caller that proved its identity with a token for this request. */
  public Caller(SpiffeId identity, String method, Optional<String> pod,
      Optional<String> podUid) {
    this(identity, method, pod, podUid, Optional.empty());
  }

  /** A token-proved caller whose pod UID is not known. */
  public Caller(SpiffeId identity, String method, Optional<String> pod) {
    this(identity, method, pod, Optional.empty());
  }
}
