package dev.signet.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import dev.signet.ca.SigningAuthority;

/**
 * CreateCertificate's meters, registered once so the request path only looks them up in a
 * small map: requests and latency by outcome, requests in flight.
 *
 * <ul>
 *   <li>{@code signet_create_certificate_requests_total{outcome,grpc_code}}
 *   <li>{@code signet_create_certificate_duration_seconds{outcome,grpc_code}} (histogram with
 *       the usual SLO bounds as buckets, 5 ms to 10 s)
 *   <li>{@code signet_create_certificate_in_flight}
 *   <li>{@code signet_create_certificate_dispatch_total{thread="transport|worker|auth"}}
 *   <li>{@code signet_ca_expiry_timestamp_seconds} and the others of {@link CaExpiryMetrics}
 *   <li>istiod's {@code citadel_server_*} counters ({@link CitadelMetrics}), so alerts written
 *       for istiod's CA keep working
 *   <li>{@code signet_grpc_calls_refused_total{reason="request_timeout|pending_limit"}}: calls
 *       of any gRPC method closed before their request arrived whole
 *   <li>{@code signet_grpc_connections_total{handshake}} and {@code signet_grpc_connections_open}
 *       ({@link ConnectionMetrics}), the gRPC server's transport filter
 * </ul>
 */
public final class IssuanceMetrics {
  public static final List<String> OUTCOMES = List.of("ok", "unauthenticated", "invalid_request",
      "unavailable", "overloaded", "internal", "cancelled");
  /** The gRPC status code each outcome is answered with (StatusMapper's mapping). */
  private static final Map<String, String> CODES = Map.of("ok", "OK",
      "unauthenticated", "UNAUTHENTICATED", "invalid_request", "INVALID_ARGUMENT",
      "unavailable", "UNAVAILABLE", "overloaded", "RESOURCE_EXHAUSTED", "internal", "INTERNAL",
      "cancelled", "CANCELLED");
  /** Latency buckets: the bounds SLOs are written with, and few series. */
  private static final Duration[] BUCKETS = {Duration.ofMillis(5), Duration.ofMillis(10),
      Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
      Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
      Duration.ofSeconds(10)};

  private final Map<String, Counter> requests = new HashMap<>();
  private final Map<String, Timer> durations = new HashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final Map<String, Counter> refusedCalls = new HashMap<>();
  private final Map<Dispatch, Counter> dispatch = new java.util.EnumMap<>(Dispatch.class);
  private final CitadelMetrics citadel;
  private final ConnectionMetrics connections;

  /** Where a call ran. */
  public enum Dispatch {
    /** The netty event loop that read it: no I/O needed. */
    TRANSPORT,
    /** A signing worker: the token's answer was known, the signature needs Vault. */
    WORKER,
    /** The authentication pool: its token's first check (then its signature, if in process). */
    AUTH
  }

  public IssuanceMetrics(MeterRegistry registry, Supplier<SigningAuthority> ca) {
    for (String outcome : OUTCOMES) {
      String code = CODES.get(outcome);
      requests.put(outcome, Counter.builder("signet.create_certificate.requests")
          .description("CreateCertificate calls by outcome and the gRPC code answered")
          .tag("outcome", outcome).tag("grpc_code", code).register(registry));
      durations.put(outcome, Timer.builder("signet.create_certificate.duration")
          .description("CreateCertificate latency from arrival to response, by outcome")
          .tag("outcome", outcome).tag("grpc_code", code).serviceLevelObjectives(BUCKETS)
          .register(registry));
    }
    this.citadel = new CitadelMetrics(registry);
    this.connections = new ConnectionMetrics(registry);
    new CaExpiryMetrics(ca).bindTo(registry);
    for (String reason : List.of("request_timeout", "pending_limit")) {
      refusedCalls.put(reason, Counter.builder("signet.grpc.calls.refused")
          .description("gRPC calls closed before their request arrived whole: it took longer "
              + "than server.connections.request-timeout, or too many were waiting")
          .tag("reason", reason).register(registry));
    }
    for (Dispatch t : Dispatch.values()) {
      dispatch.put(t, dispatch(registry, t.name().toLowerCase(java.util.Locale.ROOT)));
    }
    Gauge.builder("signet.create_certificate.in_flight", inFlight, AtomicInteger::get)
        .description("CreateCertificate calls admitted and not yet answered").register(registry);
  }

  private static Counter dispatch(MeterRegistry registry, String thread) {
    return Counter.builder("signet.create_certificate.dispatch")
        .description("Admitted CreateCertificate calls by where they ran: on the transport "
            + "thread (token answer known, CA key in process), on a worker (Vault signing) or "
            + "on the authentication pool (a token's first check)")
        .tag("thread", thread).register(registry);
  }

  /** Counts an admitted call by where it runs. */
  public void dispatched(Dispatch where) {
    dispatch.get(where).increment();
  }

  /** The in-flight counter admission control uses. */
  public AtomicInteger inFlight() {
    return inFlight;
  }

  /** The gRPC server's transport filter that counts connections and failed handshakes. */
  public ConnectionMetrics connections() {
    return connections;
  }

  /** Counts a call closed before its request arrived whole. */
  public void refusedCall(String reason) {
    refusedCalls.get(reason).increment();
  }

  /** Records one finished call. */
  public void record(String outcome, long startNanos) {
    requests.get(outcome).increment();
    citadel.record(outcome);
    durations.get(outcome).record(System.nanoTime() - startNanos,
        java.util.concurrent.TimeUnit.NANOSECONDS);
  }
}
