package dev.signet.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.testing.HelmChart;
import dev.signet.testing.TestTools;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.yaml.snakeyaml.Yaml;

/**
 * The chart's README.md is what helm-docs ({@code .ci/tools/helm-docs.sh}, {@code
 * SIGNET_HELM_DOCS}) generates from README.md.gotmpl and the {@code # --} comments of
 * values.yaml, and its values table describes every value.
 */
class ChartReadmeTest {
  private static final Path README = HelmChart.CHART.resolve("README.md");
  private static final String REGENERATE = "$(bash .ci/tools/helm-docs.sh) --chart-search-root "
      + HelmChart.CHART;

  @Test
  void theCommittedReadmeIsWhatHelmDocsGenerates(@TempDir Path dir) throws Exception {
    Path helmDocs = TestTools.require("SIGNET_HELM_DOCS", "helm-docs.sh");
    // A copy, so that the test never writes into the source tree; files/signet-alerts.yaml is a
    // link out of the chart, copied as the file it points to (as helm packages it).
    Path chart = dir.resolve("signet");
    try (Stream<Path> files = Files.walk(HelmChart.CHART)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Path to = chart.resolve(HelmChart.CHART.relativize(f).toString());
        if (Files.isDirectory(f)) {
          Files.createDirectories(to);
        } else if (!f.equals(README)) {
          Files.copy(f, to);
        }
      }
    }
    Path log = dir.resolve("helm-docs.log");
    ProcessBuilder pb = new ProcessBuilder(helmDocs.toString(), "--chart-search-root",
        chart.toString()).redirectErrorStream(true).redirectOutput(log.toFile());
    // helm-docs takes any flag from HELM_DOCS_<FLAG> too; none may change what it generates.
    pb.environment().keySet().removeIf(k -> k.startsWith("HELM_DOCS_"));
    Process p = pb.start();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).as("helm-docs finished").isTrue();
    String output = Files.readString(log, StandardCharsets.UTF_8);
    assertThat(p.exitValue()).as("helm-docs:%n%s", output).isZero();

    // Strict UTF-8 on both sides: equal strings are equal bytes, and a difference shows as a diff.
    assertThat(Files.readString(README, StandardCharsets.UTF_8))
        .as("%s is generated from values.yaml and README.md.gotmpl; regenerate it with: %s",
            README, REGENERATE)
        .isEqualTo(Files.readString(chart.resolve("README.md"), StandardCharsets.UTF_8));
  }

  /**
   * Every value has a row of its own, or lies under a row that describes it as a whole and shows
   * it in its default (a Kubernetes type such as {@code resources}), and no row lacks a
   * description. helm-docs lists a value without a {@code # --} comment with an empty description,
   * leaves out one under a described key (whose default may be text, as {@code config}'s is), and
   * leaves out a key marked {@code @ignore}.
   */
  @Test
  void theReadmeDescribesEveryValue() throws IOException {
    Map<String, Row> rows = valuesTable(Files.readString(README, StandardCharsets.UTF_8));
    assertThat(rows).as("rows of the values table of %s", README).hasSizeGreaterThan(50);
    rows.forEach((key, row) -> assertThat(row.description())
        .as("%s has no description in %s: put a '# -- ...' comment above it in values.yaml and "
            + "regenerate: %s", key, README, REGENERATE)
        .isNotBlank());

    Map<String, Object> values = new Yaml().load(
        Files.readString(HelmChart.CHART.resolve("values.yaml"), StandardCharsets.UTF_8));
    List<String> leaves = new ArrayList<>();
    leaves(values, "", leaves);
    assertThat(leaves).as("values of values.yaml").contains("replicaCount", "image.tag",
        "config.issuance.trust-domain", "resources.limits.memory");
    for (String top : values.keySet()) {
      assertThat(rows.keySet()).as("top-level key %s has no row in %s: put a '# -- ...' comment "
          + "above it in values.yaml and regenerate: %s", top, README, REGENERATE)
          .anyMatch(row -> row.equals(top) || row.startsWith(top + "."));
    }
    for (String leaf : leaves) {
      assertThat(rows.entrySet()).as("%s has no row in %s, nor a key above it whose default "
          + "shows it: put a '# -- ...' comment above it in values.yaml and regenerate: %s", leaf,
          README, REGENERATE)
          .anyMatch(row -> covers(row.getKey(), row.getValue(), leaf));
    }
  }

  /** True when {@code row} documents {@code key}: the same key, or a map above it shown whole. */
  private static boolean covers(String key, Row row, String value) {
    return value.equals(key) || (value.startsWith(key + ".") && row.defaultValue().startsWith("`"));
  }

  /** A row of the values table. */
  record Row(String defaultValue, String description) {}

  /** Dotted paths of the values that are not maps, and of the empty maps. */
  @SuppressWarnings("unchecked")
  private static void leaves(Map<String, Object> map, String prefix, List<String> out) {
    map.forEach((k, v) -> {
      String path = prefix.isEmpty() ? k : prefix + "." + k;
      if (v instanceof Map<?, ?> m && !m.isEmpty()) {
        leaves((Map<String, Object>) m, path, out);
      } else {
        out.add(path);
      }
    });
  }

  /** The rows of the table under "## Values", by key. */
  static Map<String, Row> valuesTable(String readme) {
    int start = readme.indexOf("\n## Values\n");
    assertThat(start).as("%s has a '## Values' section", README).isNotNegative();
    Map<String, Row> rows = new LinkedHashMap<>();
    for (String line : readme.substring(start).split("\n")) {
      if (!line.startsWith("| ") || line.startsWith("| Key |")) {
        continue;
      }
      // | key | type | default | description |: the default may hold anything but " | ".
      String[] cells = line.substring(2, line.length() - 2).split(" \\| ", -1);
      assertThat(cells).as("a row of 4 cells: %s", line).hasSize(4);
      rows.put(cells[0], new Row(cells[2], cells[3]));
    }
    return rows;
  }
}
