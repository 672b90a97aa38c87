package dev.signet.kube;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Locale;
import java.util.Map;

/**
 * TokenReview meters for one cluster, registered once (no per-request meter look-ups):
 * {@code signet_tokenreview_duration_seconds} (API round trips only; a histogram) and
 * {@code signet_tokenreview_failures_total{reason}}.
 */
final class TokenReviewMetrics {
  /** Why a review did not produce a caller. */
  enum Failure {
    /** The API server said the token is not valid (expired, wrong audience, deleted owner). */
    REJECTED,
    /** Authenticated, but for none of the requested audiences. */
    AUDIENCE,
    /** Authenticated, but not as a service account. */
    NOT_SERVICE_ACCOUNT,
    /** The API server could not be reached or timed out. */
    UNREACHABLE,
    /** The API server answered 5xx. */
    SERVER_ERROR,
    /** Signet's own credentials may not create TokenReviews. */
    FORBIDDEN
  }

  final Timer latency;
  private final Map<Failure, Counter> failures = new EnumMap<>(Failure.class);

  TokenReviewMetrics(MeterRegistry registry, String cluster) {
    latency = Timer.builder("signet.tokenreview.duration").tag("cluster", cluster)
        .description("TokenReview round trips to the API server").publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(10))
        .register(registry);
    for (Failure f : Failure.values()) {
      failures.put(f, Counter.builder("signet.tokenreview.failures").tag("cluster", cluster)
          .tag("reason", f.name().toLowerCase(Locale.ROOT))
          .description("TokenReviews that did not authenticate a caller").register(registry));
    }
  }

  void failed(Failure reason) {
    failures.get(reason).increment();
  }
}
