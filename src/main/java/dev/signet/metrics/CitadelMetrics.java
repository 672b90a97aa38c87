package dev.signet.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.LongAdder;

/**
 * istiod's CA counters under istiod's names ({@code citadel_server_*}, Istio's
 * {@code security/pkg/server/ca/monitoring.go}), so dashboards and alerts written for istiod's
 * CA keep working when Signet takes its place. Counted from Signet's outcomes
 * (docs/operations.md has the table):
 *
 * <ul>
 *   <li>{@code citadel_server_csr_count}: every CreateCertificate call
 *   <li>{@code citadel_server_success_cert_issuance_count}: outcome {@code ok}
 *   <li>{@code citadel_server_authentication_failure_count}: outcome {@code unauthenticated}
 *   <li>{@code citadel_server_csr_parsing_err_count}: outcome {@code invalid_request} (a CSR
 *       Signet refuses: malformed, or asking for another identity or shape)
 *   <li>{@code citadel_server_csr_sign_err_count}: outcomes {@code unavailable} and
 *       {@code internal} (the signing backend failed)
 * </ul>
 *
 * The expiry gauges of the same family are in {@link CaExpiryMetrics}.
 */
final class CitadelMetrics {
  private final LongAdder csrs;
  private final LongAdder issued;
  private final LongAdder authenticationFailures;
  private final LongAdder parsingErrors;
  private final LongAdder signErrors;

  CitadelMetrics(MeterRegistry registry) {
    csrs = counter(registry, "citadel_server_csr_count", "CSRs received (istiod's name)");
    issued = counter(registry, "citadel_server_success_cert_issuance_count",
        "Certificates issued (istiod's name)");
    authenticationFailures = counter(registry, "citadel_server_authentication_failure_count",
        "Calls whose caller could not be authenticated (istiod's name)");
    parsingErrors = counter(registry, "citadel_server_csr_parsing_err_count",
        "CSRs refused as malformed or asking for what the caller may not have (istiod's name)");
    signErrors = counter(registry, "citadel_server_csr_sign_err_count",
        "CSRs that could not be signed because the signing backend failed (istiod's name)");
  }

  /**
   * istiod exposes these counters without a {@code _total} suffix, which Prometheus' client
   * library adds to every counter; as gauges over a monotonic count they keep istiod's exact
   * names, and {@code rate()} and {@code increase()} work on them the same.
   */
  private static LongAdder counter(MeterRegistry registry, String name, String description) {
    LongAdder count = new LongAdder();
    Gauge.builder(name, count, LongAdder::sum).description(description).register(registry);
    return count;
  }

  void record(String outcome) {
    csrs.increment();
    switch (outcome) {
      case "ok" -> issued.increment();
      case "unauthenticated" -> authenticationFailures.increment();
      case "invalid_request" -> parsingErrors.increment();
      case "unavailable", "internal" -> signErrors.increment();
      default -> {
        // cancelled, overloaded: istiod has no counter for these
      }
    }
  }
}
