package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.dev.DevTokens;
import dev.signet.server.SignetServer;
import dev.signet.testing.LoopbackSignet;
import dev.signet.testing.Poll;
import dev.signet.testing.PrometheusServer;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real Prometheus scraping a real Signet that issued certificates and refused one, under both
 * usual discovery styles (job "signet" from the chart's ServiceMonitor, job "kubernetes-pods"
 * from Istio's sample Prometheus): the alert rules load healthy and none fires, every query of
 * the Grafana dashboard evaluates for either job, the issuance ones have data, and the issued
 * count is exact.
 */
class MonitoringTest {
  private static final int ISSUED = 5;
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";
  private static final String ISSUED_QUERY =
      "sum(signet_create_certificate_requests_total{job=\"signet\",outcome=\"ok\"})";
  /**
   * Meters that exist only with a Vault CA source, TokenReview authentication or Kubernetes
   * duties (leader, writes), or (GC pauses) once the JVM collected garbage.
   */
  private static final Pattern CONDITIONAL = Pattern.compile(
      "signet_(vault|tokenreview)_\\w+|signet_leader|signet_kube_writes_total"
          + "|signet_istiod_cert_expiry_timestamp_seconds"
          + "|jvm_gc_pause_seconds_\\w+");
  private static final Pattern METRIC = Pattern.compile("\\b((?:signet|process|jvm)_\\w+)");
  /** The job each discovery style gives Signet's target. */
  private static final List<String> JOBS = List.of("signet", "kubernetes-pods");
  @TempDir static Path dir;
  static SignetServer signet;
  static PrometheusServer prometheus;

  @BeforeAll
  static void start() throws Exception {
    signet = SignetServer.start(LoopbackSignet.config(dir));
    DevTokens tokens = DevTokens.open(dir);
    try (SignetClient client = SignetClient.connect("localhost", signet.grpcPort(),
        dir.resolve("root-cert.pem").toFile())) {
      for (int i = 0; i < ISSUED; i++) {
        String token = tokens.issue("shop", "cart", List.of("istio-ca"), Duration.ofMinutes(10));
        assertThat(client.createCertificate(CsrBuilder.istioAgent(CsrBuilder.ecP256(), ID),
            Duration.ofHours(1), token, Duration.ofSeconds(30))).hasSizeGreaterThan(1);
      }
      // No credentials: refused with UNAUTHENTICATED.
      try {
        client.createCertificate(CsrBuilder.istioAgent(CsrBuilder.ecP256(), ID),
            Duration.ofHours(1), null, Duration.ofSeconds(30));
        throw new AssertionError("a call without credentials was answered");
      } catch (StatusRuntimeException expected) {
        assertThat(expected.getStatus().getCode()).isEqualTo(io.grpc.Status.Code.UNAUTHENTICATED);
      }
    }
    prometheus = PrometheusServer.startWithBothDiscoveryStyles("127.0.0.1:" + signet.adminPort(),
        List.of(Path.of("deploy", "prometheus", "signet-alerts.yaml")));
    // Two scrapes after the calls, so rate() over them has data.
    Poll.until(() -> scalar("min(count_over_time(up[1m]))") >= 3
            && scalar(ISSUED_QUERY) == ISSUED
            && scalar(ISSUED_QUERY.replace("job=\"signet\"", "job=\"kubernetes-pods\"")) == ISSUED,
        Duration.ofSeconds(60),
        "Prometheus has scraped Signet three times");
  }

  @AfterAll
  static void stop() {
    if (prometheus != null) {
      prometheus.close();
    }
    if (signet != null) {
      signet.close();
    }
  }

  private static double scalar(String promql) {
    try {
      JsonArray result = data(prometheus.query(promql));
      return result.isEmpty() ? Double.NaN
          : result.get(0).getAsJsonObject().getAsJsonArray("value").get(1).getAsDouble();
    } catch (IOException e) {
      return Double.NaN;
    }
  }

  private static JsonArray data(JsonObject answer) {
    assertThat(answer.get("status").getAsString()).as(answer.toString()).isEqualTo("success");
    return answer.getAsJsonObject("data").getAsJsonArray("result");
  }

  @Test
  void theIssuedCountIsExact() {
    assertThat(scalar(ISSUED_QUERY)).isEqualTo(ISSUED);
    assertThat(scalar(ISSUED_QUERY.replace("job=\"signet\"", "job=\"kubernetes-pods\"")))
        .isEqualTo(ISSUED);
    assertThat(scalar("sum(signet_create_certificate_requests_total{job=\"signet\","
        + "outcome=\"unauthenticated\"})")).isEqualTo(1);
  }

  @Test
  void everyAlertRuleGroupLoadedHealthy() throws IOException {
    JsonObject answer = prometheus.api("/api/v1/rules?type=alert");
    assertThat(answer.get("status").getAsString()).isEqualTo("success");
    JsonArray groups = answer.getAsJsonObject("data").getAsJsonArray("groups");
    assertThat(groups.size()).as("rule groups loaded").isEqualTo(5);
    List<String> loaded = new ArrayList<>();
    // Evaluated at least once, so "health" reflects a real evaluation.
    Poll.until(() -> allEvaluated(), Duration.ofSeconds(30), "every rule evaluated");
    for (JsonElement g : prometheus.api("/api/v1/rules").getAsJsonObject("data")
        .getAsJsonArray("groups")) {
      for (JsonElement r : g.getAsJsonObject().getAsJsonArray("rules")) {
        JsonObject rule = r.getAsJsonObject();
        assertThat(rule.get("health").getAsString()).as(rule.toString()).isEqualTo("ok");
        loaded.add(rule.get("name").getAsString());
      }
    }
    assertThat(loaded).hasSize(20).contains("SignetDown", "SignetIssuanceErrors", "SignetSplitBrain",
        "SignetRootCertificateExpiringSoon");
    // A healthy Signet fires nothing that is not pending on time.
    assertThat(scalar("count(ALERTS{alertstate=\"firing\"})")).isNaN();
  }

  /** SignetDown's and SignetReplicaDown's conditions are false whatever the job is called. */
  @Test
  void theAvailabilityAlertsSeeSignetUnderEitherJob() throws IOException {
    for (String alert : List.of("SignetDown", "SignetReplicaDown")) {
      String expr = alertExpression(alert);
      assertThat(expr).doesNotContain("job=");
      assertThat(data(prometheus.query(expr))).as(expr).isEmpty();
    }
    // What makes SignetDown quiet is Signet's own series under each job.
    for (String job : JOBS) {
      assertThat(scalar("count(up{job=\"" + job + "\"} == 1 and on (job, instance) "
          + "signet_create_certificate_in_flight)")).as(job).isEqualTo(1);
    }
  }

  @SuppressWarnings("unchecked")
  private static String alertExpression(String alert) throws IOException {
    java.util.Map<String, Object> rules = new org.yaml.snakeyaml.Yaml().load(
        Files.readString(Path.of("deploy", "prometheus", "signet-alerts.yaml")));
    for (var g : (List<java.util.Map<String, Object>>) rules.get("groups")) {
      for (var r : (List<java.util.Map<String, Object>>) g.get("rules")) {
        if (alert.equals(r.get("alert"))) {
          return (String) r.get("expr");
        }
      }
    }
    throw new AssertionError("no alert " + alert);
  }

  /** The dashboard's variables offer both jobs, and its queries select by them only. */
  @Test
  void theDashboardsVariablesFindSignetUnderEitherJob() throws IOException {
    JsonArray jobs = prometheus.api("/api/v1/label/job/values?match[]="
        + "signet_create_certificate_in_flight").getAsJsonArray("data");
    List<String> found = new ArrayList<>();
    jobs.forEach(j -> found.add(j.getAsString()));
    assertThat(found).containsExactlyInAnyOrderElementsOf(JOBS);
    List<String> names = new ArrayList<>();
    dashboard().getAsJsonObject("templating").getAsJsonArray("list")
        .forEach(v -> names.add(v.getAsJsonObject().get("name").getAsString()));
    assertThat(names).containsExactly("datasource", "cluster", "namespace", "job");
    for (String expr : dashboardExpressions()) {
      assertThat(expr).doesNotContain("job=\"").contains("job=~\"$job\"",
          "namespace=~\"$namespace\"", "cluster=~\"$cluster\"");
    }
  }

  private static boolean allEvaluated() {
    try {
      for (JsonElement g : prometheus.api("/api/v1/rules").getAsJsonObject("data")
          .getAsJsonArray("groups")) {
        for (JsonElement r : g.getAsJsonObject().getAsJsonArray("rules")) {
          if (r.getAsJsonObject().get("lastEvaluation").getAsString().startsWith("0001-")) {
            return false;
          }
        }
      }
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  @Test
  void everyDashboardQueryEvaluatesAndTheIssuanceOnesHaveData() throws IOException {
    List<String> exprs = dashboardExpressions();
    assertThat(exprs).hasSizeGreaterThan(20);
    for (String job : JOBS) {
      for (String template : exprs) {
        // As Grafana sends it with "All" clusters and namespaces and one job selected.
        String expr = template.replace("$cluster", ".*").replace("$namespace", ".*")
            .replace("$job", job);
        JsonArray result = data(prometheus.query(expr));
        // Panels joined to Signet's targets carry signet_create_certificate_in_flight; those
        // of a meter that may not exist yet (GC pauses) may be empty.
        if ((expr.contains("signet_create_certificate") || expr.contains("process_"))
            && !CONDITIONAL.matcher(expr).find()) {
          assertThat(result).as("data for %s", expr).isNotEmpty();
        }
      }
      String up = exprs.stream().filter(e -> e.startsWith("sum(up")).findFirst().orElseThrow();
      assertThat(scalar(up.replace("$cluster", ".*").replace("$namespace", ".*")
          .replace("$job", job))).as("replicas up, job %s", job).isEqualTo(1);
    }
  }

  @Test
  void everyDashboardMetricIsOneSignetExports() throws Exception {
    String scrape = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + signet.adminPort() + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString()).body();
    Set<String> missing = new TreeSet<>();
    for (String expr : dashboardExpressions()) {
      Matcher m = METRIC.matcher(expr);
      while (m.find()) {
        String name = m.group(1);
        boolean exported = Pattern.compile("(?m)^" + name + "[{ ]").matcher(scrape).find();
        if (!exported && !CONDITIONAL.matcher(name).matches()) {
          missing.add(name);
        }
      }
    }
    assertThat(missing).as("dashboard metrics Signet does not export").isEmpty();
  }

  private static JsonObject dashboard() throws IOException {
    return JsonParser.parseString(Files.readString(
        Path.of("deploy", "grafana", "signet-dashboard.json"))).getAsJsonObject();
  }

  private static List<String> dashboardExpressions() throws IOException {
    JsonObject dash = dashboard();
    List<String> exprs = new ArrayList<>();
    for (JsonElement p : dash.getAsJsonArray("panels")) {
      JsonObject panel = p.getAsJsonObject();
      if (panel.has("targets")) {
        for (JsonElement t : panel.getAsJsonArray("targets")) {
          exprs.add(t.getAsJsonObject().get("expr").getAsString());
        }
      }
    }
    return exprs;
  }
}
