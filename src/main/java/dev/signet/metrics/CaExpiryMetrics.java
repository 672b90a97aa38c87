package dev.signet.metrics;

import dev.signet.ca.SigningAuthority;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.security.cert.X509Certificate;
import java.util.function.Supplier;

/**
 * When the certificates Signet signs with stop being valid, as Unix seconds, read from the
 * current authority at every scrape (a rotation shows at once). Signet's names, and istiod's
 * for the same facts so its alerts keep working:
 *
 * <ul>
 *   <li>{@code signet_ca_expiry_timestamp_seconds}: the signing certificate's NotAfter
 *   <li>{@code signet_ca_chain_expiry_timestamp_seconds} and istiod's
 *       {@code citadel_server_cert_chain_expiry_timestamp}: the earliest NotAfter of the signing
 *       certificate and its intermediates (the chain every leaf is served with)
 *   <li>{@code signet_ca_root_expiry_timestamp_seconds} and istiod's
 *       {@code citadel_server_root_cert_expiry_timestamp}: the NotAfter of the root that anchors
 *       the chain (with several roots in the bundle during a rotation, the one that issued it)
 * </ul>
 *
 * With no usable authority a scrape reads NaN (Micrometer's answer for a failing gauge).
 */
public final class CaExpiryMetrics implements MeterBinder {
  private final Supplier<SigningAuthority> ca;

  public CaExpiryMetrics(Supplier<SigningAuthority> ca) {
    this.ca = ca;
  }

  @Override
  public void bindTo(MeterRegistry registry) {
    gauge(registry, "signet.ca.expiry.timestamp", "NotAfter of the signing certificate",
        () -> seconds(ca.get().certificate()));
    gauge(registry, "signet.ca.chain.expiry.timestamp",
        "Earliest NotAfter of the signing certificate and its intermediates", this::chain);
    gauge(registry, "signet.ca.root.expiry.timestamp",
        "NotAfter of the root that anchors the signing chain", this::root);
    Gauge.builder("citadel_server_cert_chain_expiry_timestamp", this::chain)
        .description("Earliest NotAfter of the CA's certificate chain, Unix seconds "
            + "(istiod's name)").register(registry);
    Gauge.builder("citadel_server_root_cert_expiry_timestamp", this::root)
        .description("NotAfter of the CA's root certificate, Unix seconds (istiod's name)")
        .register(registry);
  }

  private static void gauge(MeterRegistry registry, String name, String description,
      Supplier<Number> value) {
    Gauge.builder(name, value).description(description + ", Unix seconds").baseUnit("seconds")
        .register(registry);
  }

  private double chain() {
    SigningAuthority a = ca.get();
    double earliest = seconds(a.certificate());
    for (X509Certificate c : a.intermediates()) {
      earliest = Math.min(earliest, seconds(c));
    }
    return earliest;
  }

  private double root() {
    SigningAuthority a = ca.get();
    X509Certificate top = a.intermediates().isEmpty() ? a.certificate()
        : a.intermediates().get(a.intermediates().size() - 1);
    if (SigningAuthority.isSelfSigned(top)) {
      return seconds(top);
    }
    double earliest = Double.POSITIVE_INFINITY;
    for (X509Certificate r : a.roots()) {
      if (r.getSubjectX500Principal().equals(top.getIssuerX500Principal())) {
        return seconds(r);
      }
      earliest = Math.min(earliest, seconds(r));
    }
    return earliest;
  }

  private static double seconds(X509Certificate c) {
    return c.getNotAfter().getTime() / 1000.0;
  }
}
