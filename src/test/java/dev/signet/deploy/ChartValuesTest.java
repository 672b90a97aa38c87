package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
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
    assertRefused("grpc-prot", "config.server.grpc-prot=9443");
  }

  @Test
  void helmRefusesAMisspeltKeyAtAnyLevel() throws IOException {
    for (String misspelt : List.of("replica=3", "service.grpcport=443",
        "monitoring.serviceMonitor.enable=true", "autoscaling.maxReplica=4",
        "networkPolicy.admin.form=x", "ca.vault.auth.token-file=/t")) {
      HelmChart.Result r = helm.template("signet", "signet-system", List.of(), "--set", misspelt);
      String key = misspelt.substring(misspelt.lastIndexOf('.') + 1, misspelt.indexOf('='));
      assertThat(r.exitCode()).as(misspelt).isNotZero();
      assertThat(r.stderr()).as(misspelt).contains("'" + key + "' not allowed");
    }
  }

  /**
   * Every object of the schema names its keys and refuses others; the only exceptions are maps
   * of strings (labels, annotations) and Kubernetes' own types, which the API server checks.
   */
  @Test
  void everyObjectOfTheSchemaRefusesUnknownKeys() throws IOException {
    JsonObject schema = JsonParser.parseString(
        Files.readString(HelmChart.CHART.resolve("values.schema.json"))).getAsJsonObject();
    List<String> passedThrough = new ArrayList<>();
    strict(schema, "", passedThrough);
    assertThat(passedThrough).containsExactlyInAnyOrder("resources", "extraEnv[]",
        "extraVolumes[]", "extraVolumeMounts[]", "initContainers[]", "tolerations[]",
        "affinity", "topologySpreadConstraints[]", "podSecurityContext", "securityContext",
        "networkPolicy.grpc.from[]", "networkPolicy.admin.from[]", "extraObjects[]");
  }

  private static void strict(JsonObject node, String path, List<String> passedThrough) {
    if (node.has("items")) {
      strict(node.getAsJsonObject("items"), path + "[]", passedThrough);
    }
    if (!node.has("type") || !node.get("type").toString().contains("object")) {
      return;
    }
    if (node.has("properties")) {
      assertThat(node.get("additionalProperties").toString()).as(path).isEqualTo("false");
      for (String k : node.getAsJsonObject("properties").keySet()) {
        strict(node.getAsJsonObject("properties").getAsJsonObject(k),
            path.isEmpty() ? k : path + "." + k, passedThrough);
      }
    } else if (node.has("additionalProperties")) {
      assertThat(node.get("additionalProperties").toString()).as(path)
          .isEqualTo("{\"type\":\"string\"}");
    } else {
      passedThrough.add(path);
    }
  }

  /** Where Signet's configuration has a fixed set of values, the schema has the same set. */
  @Test
  void theSchemaEnumsAreSignetsChoices() throws IOException {
    JsonObject config = JsonParser.parseString(
        Files.readString(HelmChart.CHART.resolve("values.schema.json"))).getAsJsonObject()
        .getAsJsonObject("properties").getAsJsonObject("config");
    Map<String, Class<? extends Enum<?>>> choices = new java.util.LinkedHashMap<>();
    choices.put("auth.kind", SignetConfig.AuthKind.class);
    choices.put("auth.clusters[].kind", SignetConfig.AuthKind.class);
    choices.put("ca.vault.auth.method", SignetConfig.VaultAuthMethod.class);
    choices.put("ca.vault.transit.chain-source", SignetConfig.ChainSource.class);
    choices.put("ca.vault.pki.key-source", SignetConfig.PkiKey.class);
    choices.put("crypto.provider", SignetConfig.ProviderChoice.class);
    choices.put("log.level", SignetConfig.LogLevel.class);
    choices.put("log.format", SignetConfig.LogFormat.class);
    for (var e : choices.entrySet()) {
      List<String> allowed = new ArrayList<>();
      for (Enum<?> c : e.getValue().getEnumConstants()) {
        allowed.add(c.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
      }
      assertThat(enumAt(config, e.getKey())).as(e.getKey())
          .containsExactlyInAnyOrderElementsOf(allowed);
    }
    // The chart has no dev mode: every CA source but dev.
    assertThat(enumAt(config, "ca.source"))
        .containsExactlyInAnyOrder("files", "vault-transit", "vault-kv", "vault-pki");
  }

  private static List<String> enumAt(JsonObject node, String path) {
    JsonObject n = node;
    for (String part : path.split("\\.")) {
      boolean list = part.endsWith("[]");
      n = n.getAsJsonObject("properties").getAsJsonObject(list ? part.replace("[]", "") : part);
      if (list) {
        n = n.getAsJsonObject("items");
      }
    }
    assertThat(n.has("enum")).as(path + " has an enum").isTrue();
    List<String> values = new ArrayList<>();
    n.getAsJsonArray("enum").forEach(v -> values.add(v.getAsString()));
    return values;
  }

  @Test
  void aDerivedKeyIsRefusedWithWhatToSetInstead() throws IOException {
    Map<String, String> refused = Map.of(
        "config.server.grpc-port=9443", "set containerPorts.grpc",
        "config.kubernetes.namespace=other", "set the release namespace",
        "config.kubernetes.leader-election.lease-name=x", "RBAC names",
        "config.ca.files.directory=/x", "set ca.files.secretName");
    for (var e : refused.entrySet()) {
      HelmChart.Result r = helm.template("signet", "signet-system", List.of(), "--set",
          e.getKey());
      String key = e.getKey().substring(0, e.getKey().indexOf('='));
      assertThat(r.exitCode()).as(key).isNotZero();
      assertThat(r.stderr()).as(key).contains(key + " is derived by the chart", e.getValue());
    }
  }

  @Test
  void vaultTokenAuthNeedsTheTokenFile() throws IOException {
    assertRefused("needs ca.vault.auth.tokenFile", "ca.source=vault-kv",
        "ca.vault.address=https://vault:8200", "ca.vault.auth.method=token");
  }

  @Test
  void anExistingServiceAccountMustBeNamed() throws IOException {
    assertRefused("serviceAccount.name is required", "serviceAccount.create=false");
  }

  @Test
  void helmRefusesAVaultSourceWithoutAnAddress() throws IOException {
    assertRefused("ca.vault.address is required", "ca.source=vault-kv");
  }

  /** {@code helm template} with these {@code --set}s fails, saying {@code message}. */
  private void assertRefused(String message, String... sets) throws IOException {
    List<String> args = new java.util.ArrayList<>();
    for (String set : sets) {
      args.add("--set");
      args.add(set);
    }
    HelmChart.Result r = helm.template("signet", "signet-system", List.of(),
        args.toArray(String[]::new));
    assertThat(r.exitCode()).as(String.join(" ", sets)).isNotZero();
    assertThat(r.stderr()).as(String.join(" ", sets)).contains(message);
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
