package dev.signet.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/**
 * The server-side counters a load run is judged by: scraped from Signet's /metrics, or read from
 * {@code /proc} for any server process (then the certificates issued are the ones the load
 * generator received).
 */
record ServerMetrics(double cpuSeconds, double issued, double residentBytes) {
  /** USER_HZ, the unit of /proc/PID/stat's times: 100 on every Linux architecture Java runs on. */
  private static final double TICKS_PER_SECOND = 100;
  private static final double PAGE_BYTES = 4096;

  /** CPU (user + system, all threads) and resident memory of process {@code pid}. */
  static ServerMetrics ofProcess(long pid, double issued) throws IOException {
    String stat = java.nio.file.Files.readString(java.nio.file.Path.of("/proc", pid + "/stat"));
    // The command name (field 2) may hold spaces; the fields after its closing parenthesis are
    // state (3), ..., utime (14), stime (15), ..., rss (24).
    String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
    double ticks = Double.parseDouble(f[11]) + Double.parseDouble(f[12]);
    return new ServerMetrics(ticks / TICKS_PER_SECOND, issued,
        Double.parseDouble(f[21]) * PAGE_BYTES);
  }

  static ServerMetrics scrape(URI url) throws IOException, InterruptedException {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return new ServerMetrics(value(body, "process_cpu_time_ns_total") / 1e9,
        value(body, "signet_create_certificate_requests_total{", "outcome=\"ok\""),
        value(body, "process_resident_memory_bytes"));
  }

  /**
   * The value of the first sample whose name (and labels) start with {@code series} and whose
   * labels include {@code label} (any order).
   */
  private static double value(String body, String series, String... label) {
    for (String line : body.split("\n")) {
      if (line.startsWith(series) && (label.length == 0 || line.contains(label[0]))) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new IllegalStateException("the server's /metrics has no " + series);
  }
}
