package dev.signet.metrics;

import io.grpc.Attributes;
import io.grpc.ServerTransportFilter;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Connections to the gRPC port, seen through grpc-java's transport life cycle: a connection is
 * <em>established</em> when its TLS handshake has completed and the client's HTTP/2 settings
 * have arrived (grpc-java's "transport ready", which its handshake timeout also bounds); one that
 * closes before that has <em>failed its handshake</em>: a TLS error (no common protocol version
 * or cipher, a plaintext or non-TLS client, a bad ClientHello), the handshake timeout, a client
 * that disconnects half-way, or a TCP-only probe of the port.
 *
 * <ul>
 *   <li>{@code signet_grpc_connections_total{handshake="completed|failed"}}
 *   <li>{@code signet_grpc_connections_open}: established connections not yet closed
 * </ul>
 *
 * <p>Two counter increments per connection, on the event loop: nothing a peer sends can make the
 * accounting cost more.
 */
public final class ConnectionMetrics extends ServerTransportFilter {
  private final Counter completed;
  private final Counter failed;
  private final AtomicLong open = new AtomicLong();

  public ConnectionMetrics(MeterRegistry registry) {
    String help = "Connections to the gRPC port by whether their TLS and HTTP/2 handshakes "
        + "completed; failed: closed before, by a TLS error, the handshake timeout, or the peer";
    completed = Counter.builder("signet.grpc.connections").description(help)
        .tag("handshake", "completed").register(registry);
    failed = Counter.builder("signet.grpc.connections").description(help)
        .tag("handshake", "failed").register(registry);
    Gauge.builder("signet.grpc.connections.open", open, AtomicLong::get)
        .description("Established connections to the gRPC port not yet closed")
        .register(registry);
  }

  @Override
  public Attributes transportReady(Attributes attributes) {
    completed.increment();
    open.incrementAndGet();
    return attributes;
  }

  /** grpc-java passes the attributes transportReady returned, or null if it never ran. */
  @Override
  public void transportTerminated(Attributes attributes) {
    if (attributes == null) {
      failed.increment();
    } else {
      open.decrementAndGet();
    }
  }
}
