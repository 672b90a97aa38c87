package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;

class JsonLogFormatterTest {
  @Test
  void writesOneObjectPerLineWithStableFields() {
    LogRecord r = new LogRecord(Level.INFO, "refused {0}: \"quoted\"\nsecond line\t\u0001");
    r.setParameters(new Object[] {"outcome=unauthenticated"});
    r.setLoggerName("signet.audit");
    r.setInstant(Instant.parse("2026-11-29T04:12:12.705123Z"));
    String line = new JsonLogFormatter().format(r);
    assertThat(line).endsWith(System.lineSeparator());
    assertThat(line.strip()).doesNotContain("\n");
    JsonObject json = JsonParser.parseString(line).getAsJsonObject();
    assertThat(json.keySet()).containsExactly("time", "level", "logger", "message");
    assertThat(json.get("time").getAsString()).isEqualTo("2026-11-29T04:12:12.705Z");
    assertThat(json.get("level").getAsString()).isEqualTo("INFO");
    assertThat(json.get("logger").getAsString()).isEqualTo("signet.audit");
    assertThat(json.get("message").getAsString())
        .isEqualTo("refused outcome=unauthenticated: \"quoted\"\nsecond line\t\u0001");
  }

  @Test
  void anExceptionGoesIntoErrorWithItsStackTrace() {
    LogRecord r = new LogRecord(Level.WARNING, "cannot renew the serving certificate");
    r.setLoggerName("dev.signet.grpc.GrpcEndpoint");
    r.setThrown(new IllegalStateException("boom"));
    JsonObject json = JsonParser.parseString(new JsonLogFormatter().format(r)).getAsJsonObject();
    assertThat(json.get("level").getAsString()).isEqualTo("WARNING");
    assertThat(json.get("error").getAsString()).startsWith("java.lang.IllegalStateException: boom")
        .contains("at dev.signet.cli.JsonLogFormatterTest");
  }
}
