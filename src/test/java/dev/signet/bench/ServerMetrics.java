package dev.signet.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

/** The server-side counters a load run is judged by, scraped from Signet's /metrics. */
record ServerMetrics(double cpuSeconds, double issued, double residentBytes) {

  static ServerMetrics scrape(URI url) throws IOException, InterruptedException {
    String body = HttpClient.newHttpClient().send(HttpRequest.newBuilder(url).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    return new ServerMetrics(value(body, "process_cpu_time_ns_total") / 1e9,
        value(body, "signet_create_certificate_requests_total{outcome=\"ok\"}"),
        value(body, "process_resident_memory_bytes"));
  }

  /** The value of the first sample whose name (and labels) start with {@code series}. */
  private static double value(String body, String series) {
    for (String line : body.split("\n")) {
      if (line.startsWith(series)) {
        return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    throw new IllegalStateException("the server's /metrics has no " + series);
  }
}
