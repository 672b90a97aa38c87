package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class BuildInfoTest {
  private static BuildInfo of(String properties) throws Exception {
    Properties p = new Properties();
    p.load(new StringReader(properties));
    return BuildInfo.from(p);
  }

  @Test
  void whatTheBuildCouldNotKnowReadsUnknown() throws Exception {
    // Built without git: Maven leaves the commit's placeholders unfilled.
    BuildInfo b = of("version=1.2.3\ncommit=${git.commit.id.abbrev}\ndirty=${git.dirty}\n"
        + "build-time=2026-11-29T06:00:00Z\n");
    assertThat(b).isEqualTo(new BuildInfo("1.2.3", "unknown", "2026-11-29T06:00:00Z"));
    assertThat(of("").describe()).isEqualTo("signet unknown (commit unknown, built unknown)");
  }

  @Test
  void aBuildWithUncommittedChangesSaysSo() throws Exception {
    assertThat(of("version=1\ncommit=0123456789ab\ndirty=true\n").commit())
        .isEqualTo("0123456789ab-dirty");
    assertThat(of("version=1\ncommit=0123456789ab\ndirty=false\n").commit())
        .isEqualTo("0123456789ab");
  }

  @Test
  void theJarsVersionIsTheChartsAppVersion() throws Exception {
    String jar = BuildInfo.current().version();
    String chart = Files.readAllLines(Path.of("deploy/helm/signet/Chart.yaml")).stream()
        .filter(l -> l.startsWith("appVersion:")).findFirst().orElseThrow()
        .substring("appVersion:".length()).trim().replace("\"", "");
    assertThat(jar.replaceFirst("-SNAPSHOT$", "")).isEqualTo(chart);
  }
}
