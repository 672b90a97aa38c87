package dev.signet.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.ca.FilesCaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.dev.DevCa;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What Prometheus scrapes: names, labels and buckets an operator writes alerts and SLOs with. */
class IssuanceMetricsTest {
  @Test
  void outcomesCarryTheirGrpcCodeAndIstiodsCountersFollow(@TempDir Path dir) throws Exception {
    try (FilesCaSource ca = devCa(dir)) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      IssuanceMetrics metrics = new IssuanceMetrics(registry, ca::current);
      long start = System.nanoTime();
      for (String outcome : new String[] {"ok", "ok", "unauthenticated", "invalid_request",
          "unavailable", "internal", "overloaded", "cancelled"}) {
        metrics.record(outcome, start);
      }
      String scrape = registry.scrape();
      assertThat(value(scrape, "signet_create_certificate_requests_total{grpc_code=\"OK\","
          + "outcome=\"ok\"}")).isEqualTo(2);
      assertThat(value(scrape, "signet_create_certificate_requests_total{"
          + "grpc_code=\"RESOURCE_EXHAUSTED\",outcome=\"overloaded\"}")).isEqualTo(1);
      assertThat(value(scrape, "signet_create_certificate_requests_total{"
          + "grpc_code=\"INVALID_ARGUMENT\",outcome=\"invalid_request\"}")).isEqualTo(1);
      // istiod's names, exactly (no _total suffix), so its alerts keep working.
      assertThat(value(scrape, "citadel_server_csr_count")).isEqualTo(8);
      assertThat(value(scrape, "citadel_server_success_cert_issuance_count")).isEqualTo(2);
      assertThat(value(scrape, "citadel_server_authentication_failure_count")).isEqualTo(1);
      assertThat(value(scrape, "citadel_server_csr_parsing_err_count")).isEqualTo(1);
      assertThat(value(scrape, "citadel_server_csr_sign_err_count")).isEqualTo(2);
    }
  }

  @Test
  void latencyBucketsAreTheSloBoundsAndFew(@TempDir Path dir) throws Exception {
    try (FilesCaSource ca = devCa(dir)) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new IssuanceMetrics(registry, ca::current).record("ok", System.nanoTime());
      String[] okBuckets = registry.scrape().lines()
          .filter(l -> l.startsWith("signet_create_certificate_duration_seconds_bucket{")
              && l.contains("outcome=\"ok\""))
          .toArray(String[]::new);
      assertThat(okBuckets).hasSize(12); // 11 bounds and +Inf
      assertThat(Arrays.stream(okBuckets).map(l -> l.replaceAll(".*le=\"([^\"]+)\".*", "$1")))
          .contains("0.1", "1.0", "+Inf");
    }
  }

  @Test
  void expiryGaugesReadTheCurrentAuthority(@TempDir Path dir) throws Exception {
    try (FilesCaSource ca = devCa(dir)) {
      PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
      new IssuanceMetrics(registry, ca::current);
      SigningAuthority a = ca.current();
      double signing = a.certificate().getNotAfter().getTime() / 1000.0;
      double root = a.roots().get(0).getNotAfter().getTime() / 1000.0;
      String scrape = registry.scrape();
      assertThat(value(scrape, "signet_ca_expiry_timestamp_seconds")).isEqualTo(signing);
      assertThat(value(scrape, "signet_ca_chain_expiry_timestamp_seconds")).isEqualTo(signing);
      assertThat(value(scrape, "citadel_server_cert_chain_expiry_timestamp")).isEqualTo(signing);
      assertThat(value(scrape, "signet_ca_root_expiry_timestamp_seconds")).isEqualTo(root);
      assertThat(value(scrape, "citadel_server_root_cert_expiry_timestamp")).isEqualTo(root);
      assertThat(root).isGreaterThan(signing);
    }
  }

  private static FilesCaSource devCa(Path dir) throws Exception {
    DevCa.ensure(dir);
    return FilesCaSource.open(dir, CryptoProvider.select(ProviderChoice.AUTO), null, a -> { });
  }

  /** The value of one series in a scrape; fails if it is not there. */
  private static double value(String scrape, String series) {
    Matcher m = Pattern.compile("(?m)^" + Pattern.quote(series) + " (\\S+)$").matcher(scrape);
    assertThat(m.find()).as("series %s in%n%s", series, scrape).isTrue();
    return Double.parseDouble(m.group(1));
  }
}
