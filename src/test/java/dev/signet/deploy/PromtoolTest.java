package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.testing.TestTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * deploy/prometheus/signet-alerts.yaml passes promtool's checks and its unit tests, and those
 * tests make every alert both fire and stay quiet at least once.
 */
class PromtoolTest {
  private static final Path RULES = Path.of("deploy", "prometheus", "signet-alerts.yaml");
  private static final Path TESTS = Path.of("deploy", "prometheus", "signet-alerts.test.yaml");

  private final Path promtool =
      TestTools.require("SIGNET_PROMETHEUS", "prometheus.sh").resolve("promtool");

  @Test
  void theRulesPassPromtoolCheck() throws Exception {
    String out = promtool("check", "rules", RULES.toString());
    assertThat(out).contains("SUCCESS");
  }

  @Test
  void theUnitTestsPass() throws Exception {
    String out = promtool("test", "rules", TESTS.toString());
    assertThat(out).contains("SUCCESS");
  }

  @Test
  @SuppressWarnings("unchecked")
  void everyAlertIsTestedFiringAndQuiet() throws IOException {
    Set<String> alerts = new TreeSet<>();
    Map<String, Object> rules = new Yaml().load(Files.readString(RULES));
    for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        alerts.add((String) rule.get("alert"));
      }
    }
    Set<String> firing = new TreeSet<>();
    Set<String> quiet = new TreeSet<>();
    Map<String, Object> tests = new Yaml().load(Files.readString(TESTS));
    for (Map<String, Object> test : (List<Map<String, Object>>) tests.get("tests")) {
      for (Map<String, Object> check :
          (List<Map<String, Object>>) test.get("alert_rule_test")) {
        String name = (String) check.get("alertname");
        List<?> expected = (List<?>) check.get("exp_alerts");
        (expected == null || expected.isEmpty() ? quiet : firing).add(name);
      }
    }
    assertThat(alerts).hasSizeGreaterThan(10);
    assertThat(firing).as("alerts tested firing").isEqualTo(alerts);
    assertThat(quiet).as("alerts tested quiet").isEqualTo(alerts);
  }

  /**
   * Every alert links its runbook, a section of docs/operations.md, and no rule names a scrape
   * job (the ServiceMonitor's "signet" and the pod-annotation "kubernetes-pods" both work).
   */
  @Test
  @SuppressWarnings("unchecked")
  void everyAlertLinksItsRunbookAndNoRuleNamesAJob() throws IOException {
    String runbook = Files.readString(Path.of("docs", "operations.md"));
    Map<String, Object> rules = new Yaml().load(Files.readString(RULES));
    int alerts = 0;
    for (Map<String, Object> group : (List<Map<String, Object>>) rules.get("groups")) {
      for (Map<String, Object> rule : (List<Map<String, Object>>) group.get("rules")) {
        String name = (String) rule.get("alert");
        Map<String, Object> annotations = (Map<String, Object>) rule.get("annotations");
        assertThat(annotations.get("runbook_url")).as(name).isEqualTo(
            "https://signet.dev/docs/operations.md#" + name.toLowerCase(java.util.Locale.ROOT));
        assertThat(runbook).as("docs/operations.md section of " + name)
            .contains("\n### " + name + "\n");
        assertThat((String) rule.get("expr")).as(name).doesNotContain("job=");
        alerts++;
      }
    }
    assertThat(alerts).isGreaterThan(10);
  }

  /** Runs promtool, fails with its output unless it exits 0, and returns that output. */
  private String promtool(String... args) throws Exception {
    Path log = Files.createTempFile("promtool-", ".log");
    try {
      List<String> command = new java.util.ArrayList<>(List.of(promtool.toString()));
      command.addAll(List.of(args));
      Process p = new ProcessBuilder(command).redirectErrorStream(true)
          .redirectOutput(log.toFile()).start();
      assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("promtool finished").isTrue();
      String out = Files.readString(log, StandardCharsets.UTF_8);
      assertThat(p.exitValue()).as("promtool %s:%n%s", String.join(" ", args), out).isZero();
      return out;
    } finally {
      Files.deleteIfExists(log);
    }
  }
}
