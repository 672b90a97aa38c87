package dev.signet.bench;

import io.grpc.Status;
import java.util.Arrays;
import java.util.Map;

/** What one load run measured, and its one-paragraph summary. */
record LoadReport(long[] latencies, long elapsedNanos, long errors, Map<Status.Code, ?> byCode) {

  double throughput() {
    return latencies.length / (elapsedNanos / 1e9);
  }

  String summary(LoadOptions options, ServerMetrics before, ServerMetrics after) {
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    double issued = after.issued() - before.issued();
    double cpu = after.cpuSeconds() - before.cpuSeconds();
    return String.format("%s%n  throughput %.0f certs/s, errors %d %s%n"
        + "  latency ms: p50 %.2f  p99 %.2f  p99.9 %.2f  max %.2f%n"
        + "  server: %.0f certs issued, CPU %.1f us/cert, RSS %.0f MiB%s",
        options.describe(), throughput(), errors, errors > 0 ? byCode : "",
        ms(sorted, 0.50), ms(sorted, 0.99), ms(sorted, 0.999), sorted[sorted.length - 1] / 1e6,
        issued, issued > 0 ? cpu / issued * 1e6 : 0, after.residentBytes() / (1 << 20),
        options.rate() > 0 ? slowBySecond(options.rate()) : "");
  }

  /** One line: throughput, latency and server CPU per certificate between two samples. */
  String brief(ServerMetrics before, ServerMetrics after) {
    long[] sorted = latencies.clone();
    Arrays.sort(sorted);
    double issued = after.issued() - before.issued();
    double cpu = after.cpuSeconds() - before.cpuSeconds();
    return String.format("%.0f certs/s, p50 %.2f ms, p99 %.2f ms, server CPU %.0f us/cert%s",
        throughput(), ms(sorted, 0.50), ms(sorted, 0.99), issued > 0 ? cpu / issued * 1e6 : 0,
        errors > 0 ? ", errors " + errors + " " + byCode : "");
  }

  /** In a fixed-rate run, when the requests slower than 100 ms were due, by second of the run. */
  private String slowBySecond(double rate) {
    java.util.TreeMap<Integer, Integer> bySecond = new java.util.TreeMap<>();
    for (int i = 0; i < latencies.length; i++) {
      if (latencies[i] > 100_000_000L) {
        bySecond.merge((int) (i / rate), 1, Integer::sum);
      }
    }
    return bySecond.isEmpty() ? "" : String.format("%n  due when slower than 100 ms (second: count): %s",
        bySecond);
  }

  private static double ms(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(i, sorted.length - 1))] / 1e6;
  }
}
