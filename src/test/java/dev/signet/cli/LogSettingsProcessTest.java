package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.signet.testing.SignetProcess;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code log.format} and {@code log.level} as a running {@code signet serve} applies them. */
class LogSettingsProcessTest {
  /** A record in the text format: {@code 2026-11-29T04:12:12.705Z INFO logger: message}. */
  private static final java.util.regex.Pattern TEXT_RECORD = java.util.regex.Pattern.compile(
      "^\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z [A-Z]+ ");
  @Test
  void jsonLinesFromStartToTheDrainOnStop(@TempDir Path dir) throws Exception {
    // Started, ready, then stopped with SIGTERM: the shutdown hook drains and logs it.
    SignetProcess.start(dir, "json", "log.format=json").close();
    // The log file also holds what the JVM itself prints to stderr (on newer JDKs, warnings
    // about native access by netty): those lines are not log records.
    List<String> all = Files.readAllLines(dir.resolve("json.log"));
    assertThat(all).noneMatch(l -> TEXT_RECORD.matcher(l).find());
    List<String> lines = all.stream().filter(l -> l.startsWith("{")).toList();
    assertThat(lines).isNotEmpty();
    List<JsonObject> records = lines.stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject()).toList();
    assertThat(records).allSatisfy(r -> assertThat(r.keySet())
        .contains("time", "level", "logger", "message"));
    assertThat(records).anySatisfy(r -> assertThat(r.get("message").getAsString())
        .contains("serving gRPC on port"));
    assertThat(records).anySatisfy(r -> assertThat(r.get("message").getAsString())
        .startsWith("stopping: no new calls"));
    assertThat(records).anySatisfy(r -> assertThat(r.get("message").getAsString())
        .startsWith("stopped: every call finished"));
  }

  @Test
  void levelWarnKeepsInfoLinesOut(@TempDir Path dir) throws Exception {
    // Started and ready: only warnings (dev mode says so loudly) may have been written.
    SignetProcess.start(dir, "quiet", "log.level=warn").close();
    List<String> lines = Files.readAllLines(dir.resolve("quiet.log"));
    assertThat(lines).noneMatch(l -> l.contains(" INFO "));
    assertThat(lines).anyMatch(l -> l.contains(" WARNING "));
  }
}
