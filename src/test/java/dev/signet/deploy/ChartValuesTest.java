package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.signet.config.ConfigLoader;
import dev.signet.testing.HelmChart;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart cannot emit a key Signet does not know: its values schema names exactly Signet's
 * configuration keys, and helm refuses anything else before a pod would. Its PrometheusRule is
 * the alert rules file itself.
 */
class ChartValuesTest {
  private static HelmChart helm;

  @BeforeAll
  static void helm() {
    helm = new HelmChart();
  }

  @Test
  void theValuesSchemaNamesExactlySignetsConfigurationKeys() throws IOException {
    JsonObject schema = JsonParser.parseString(
        Files.readString(HelmChart.CHART.resolve("values.schema.json"))).getAsJsonObject();
    JsonObject config = schema.getAsJsonObject("properties").getAsJsonObject("config");
    List<String> leaves = new ArrayList<>();
    collect(config, "", leaves);
    List<String> keys = new ArrayList<>(ConfigLoader.withDefaults().keys());
    // Dev mode never runs in a cluster; the chart's schema leaves it out on purpose.
    keys.removeAll(List.of("dev", "ca.dev.directory"));
    assertThat(leaves).containsExactlyInAnyOrderElementsOf(keys);
  }

  private static void collect(JsonObject node, String prefix, List<String> leaves) {
    boolean object = node.has("properties")
        && "object".equals(node.get("type").getAsString());
    if (!object) {
      leaves.add(prefix);
      return;
    }
    assertThat(node.get("additionalProperties").getAsBoolean())
        .as("%s refuses unknown keys", prefix.isEmpty() ? "config" : prefix).isFalse();
    for (String k : node.getAsJsonObject("properties").keySet()) {
      collect(node.getAsJsonObject("properties").getAsJsonObject(k),
          prefix.isEmpty() ? k : prefix + "." + k, leaves);
    }
  }

  @Test
  void helmRefusesAnUnknownConfigurationKey() throws IOException {
    HelmChart.Result r = helm.template("signet", "signet-system", List.of(),
        "--set", "config.server.grpc-prot=9443");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("grpc-prot");
  }

  @Test
  void helmRefusesAVaultSourceWithoutAnAddress() throws IOException {
    HelmChart.Result r = helm.template("signet", "signet-system", List.of(),
        "--set", "ca.source=vault-kv");
    assertThat(r.exitCode()).isNotZero();
    assertThat(r.stderr()).contains("ca.vault.address is required");
  }

  @Test
  @SuppressWarnings("unchecked")
  void thePrometheusRuleIsTheAlertRulesFile() throws IOException {
    String rendered = helm.render("signet", "signet-system", List.of(),
        "--set", "monitoring.prometheusRule.enabled=true",
        "--show-only", "templates/prometheusrule.yaml");
    Map<String, Object> rule = new Yaml().load(rendered);
    Map<String, Object> file = new Yaml().load(
        Files.readString(Path.of("deploy", "prometheus", "signet-alerts.yaml")));
    assertThat(rule.get("kind")).isEqualTo("PrometheusRule");
    assertThat(((Map<String, Object>) rule.get("spec")).get("groups"))
        .isEqualTo(file.get("groups"));
  }
}
