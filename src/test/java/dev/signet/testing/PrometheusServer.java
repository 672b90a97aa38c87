package dev.signet.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A real Prometheus ({@code SIGNET_PROMETHEUS} from {@code .ci/tools/prometheus.sh}) on a free
 * loopback port with its own temporary directory, scraping one target as job "signet" every
 * second and loading the given rule files. Stopped by {@link #close()}.
 */
public final class PrometheusServer implements AutoCloseable {
  private final Path dir;
  private final LocalProcess process;
  private final String url;
  private final HttpClient http = HttpClient.newHttpClient();

  private PrometheusServer(Path dir, LocalProcess process, String url) {
    this.dir = dir;
    this.process = process;
    this.url = url;
  }

  /** Starts Prometheus scraping {@code target} (host:port) and waits until it is ready. */
  public static PrometheusServer start(String target, List<Path> ruleFiles) throws IOException {
    return start(target, ruleFiles, "");
  }

  /**
   * Starts Prometheus scraping {@code target} twice, as the two usual discovery styles name it:
   * job "signet" (the chart's ServiceMonitor) and job "kubernetes-pods" with the namespace and
   * pod labels that Istio's sample Prometheus gives pods it finds by their annotations.
   */
  public static PrometheusServer startWithBothDiscoveryStyles(String target, List<Path> ruleFiles)
      throws IOException {
    return start(target, ruleFiles, String.join("\n", "  - job_name: kubernetes-pods",
        "    static_configs:", "      - targets: ['" + target + "']",
        "        labels: {namespace: signet-system, pod: signet-7d9f-abcde}", ""));
  }

  private static PrometheusServer start(String target, List<Path> ruleFiles, String moreJobs)
      throws IOException {
    Path bin = TestTools.require("SIGNET_PROMETHEUS", "prometheus.sh").resolve("prometheus");
    Path dir = Files.createTempDirectory("signet-prometheus-");
    StringBuilder config = new StringBuilder(String.join("\n",
        "global:", "  scrape_interval: 1s", "  evaluation_interval: 1s", "rule_files:"));
    for (Path f : ruleFiles) {
      config.append("\n  - '").append(f.toAbsolutePath()).append("'");
    }
    config.append("\n").append(String.join("\n", "scrape_configs:", "  - job_name: signet",
        "    static_configs:", "      - targets: ['" + target + "']", "")).append(moreJobs);
    Path configFile = dir.resolve("prometheus.yml");
    Files.writeString(configFile, config);
    int port = LocalProcess.freePort();
    String url = "http://127.0.0.1:" + port;
    LocalProcess p = LocalProcess.start("prometheus", dir, List.of(bin.toString(),
        "--config.file=" + configFile, "--storage.tsdb.path=" + dir.resolve("data"),
        "--web.listen-address=127.0.0.1:" + port, "--web.console.templates=" + dir,
        "--web.console.libraries=" + dir));
    PrometheusServer server = new PrometheusServer(dir, p, url);
    try {
      p.awaitReady(() -> server.get("/-/ready").statusCode() == 200, Duration.ofSeconds(60));
    } catch (IOException | RuntimeException e) {
      server.close();
      throw e;
    }
    return server;
  }

  private HttpResponse<String> get(String pathAndQuery) throws IOException {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url + pathAndQuery))
          .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  /** GET of an API path; the parsed JSON answer whatever its status. */
  public JsonObject api(String pathAndQuery) throws IOException {
    return JsonParser.parseString(get(pathAndQuery).body()).getAsJsonObject();
  }

  /** An instant query, {@code /api/v1/query}. */
  public JsonObject query(String promql) throws IOException {
    return api("/api/v1/query?query=" + URLEncoder.encode(promql, StandardCharsets.UTF_8));
  }

  @Override
  public void close() {
    process.close();
    LocalProcess.deleteTree(dir);
  }
}
