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
  @Test
  void jsonLinesFromStartToTheDrainOnStop(@TempDir Path dir) throws Exception {
    // Started, ready, then stopped with SIGTERM: the shutdown hook drains and logs it.
    SignetProcess.start(dir, "json", "log.format=json").close();
    List<String> lines = Files.readAllLines(dir.resolve("json.log")).stream()
        .filter(l -> !l.isBlank()).toList();
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
