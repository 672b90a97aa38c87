package dev.signet.vault;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Vault meters on an injected registry: call latency and outcome per operation, Transit batch
 * sizes, refreshes that failed while the last good CA kept signing, and the CA's expiry.
 */
public final class VaultMetrics {
  private final MeterRegistry registry;
  private final ConcurrentHashMap<String, Timer> timers = new ConcurrentHashMap<>();
  private final DistributionSummary batchSizes;
  private final Counter staleRefreshes;
  private final Counter rejected;

  public VaultMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.batchSizes = DistributionSummary.builder("signet_vault_transit_batch_size")
        .description("Digests per Transit batch_input call")
        .publishPercentiles(0.5, 0.99)
        .register(registry);
    this.staleRefreshes = Counter.builder("signet_vault_ca_refresh_failures_total")
        .description("Failed checks of Vault for a new CA; the last good CA keeps signing")
        .register(registry);
    this.rejected = Counter.builder("signet_vault_transit_rejected_total")
        .description("Signatures refused without calling Vault (queue full or Vault down)")
        .register(registry);
  }

  /** One HTTP call to Vault; {@code outcome} is ok, unreachable or http_NNN. */
  void call(String operation, String outcome, long nanos) {
    timers.computeIfAbsent(operation + "|" + outcome, k -> Timer.builder("signet_vault_call")
        .description("Calls to Vault by operation and outcome")
        .tag("operation", operation)
        .tag("outcome", outcome)
        .publishPercentiles(0.5, 0.99)
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  void batch(int size) {
    batchSizes.record(size);
  }

  void refreshFailed() {
    staleRefreshes.increment();
  }

  void rejected() {
    rejected.increment();
  }

  /** Publishes the current CA certificate's NotAfter (epoch seconds) for a source. */
  void caExpiry(String source, Supplier<Number> notAfterEpochSeconds) {
    io.micrometer.core.instrument.Gauge.builder("signet_vault_ca_not_after_seconds",
            notAfterEpochSeconds)
        .description("NotAfter of the CA certificate the Vault source signs with")
        .tag("source", source)
        .register(registry);
  }
}
