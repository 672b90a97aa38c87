package dev.signet.issue;

import static java.util.Objects.requireNonNull;

import dev.signet.config.SignetConfig.Issuance;
import java.time.Duration;
import java.time.Instant;

/**
 * Decides a leaf's NotAfter the way istio-csr does: a requested {@code validity_duration} is
 * clamped into [min, max] rather than refused, {@code <= 0} means the default, and the result
 * never passes the signing certificate's own NotAfter.
 */
public record TtlPolicy(Duration defaultTtl, Duration minTtl, Duration maxTtl) {
  public TtlPolicy {
    requireNonNull(defaultTtl, "defaultTtl");
    requireNonNull(minTtl, "minTtl");
    requireNonNull(maxTtl, "maxTtl");
    if (minTtl.compareTo(maxTtl) > 0 || defaultTtl.compareTo(minTtl) < 0
        || defaultTtl.compareTo(maxTtl) > 0) {
      throw new IllegalArgumentException("need minTtl <= defaultTtl <= maxTtl");
    }
  }

  /** The policy of a validated configuration. */
  public static TtlPolicy of(Issuance issuance) {
    return new TtlPolicy(issuance.defaultTtl(), issuance.minTtl(), issuance.maxTtl());
  }

  /** The TTL to grant for a requested number of seconds. */
  public Duration grant(long requestedSeconds) {
    if (requestedSeconds <= 0) {
      return defaultTtl;
    }
    if (requestedSeconds >= maxTtl.toSeconds()) {
      return maxTtl;
    }
    Duration requested = Duration.ofSeconds(requestedSeconds);
    return requested.compareTo(minTtl) < 0 ? minTtl : requested;
  }

  /** NotAfter for a leaf issued at {@code now}, capped at the signing certificate's NotAfter. */
  public Instant notAfter(Instant now, long requestedSeconds, Instant signerNotAfter) {
    Instant wanted = now.plus(grant(requestedSeconds));
    return wanted.isAfter(signerNotAfter) ? signerNotAfter : wanted;
  }
}
