package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.SimpleFormatter;
import org.junit.jupiter.api.Test;

class LogLineFormatterTest {
  /** The format Signet used with SimpleFormatter, which LogLineFormatter replaces. */
  private static final String SIMPLE_FORMAT = "%1$tFT%1$tT.%1$tLZ %4$s %3$s: %5$s%6$s%n";

  @Test
  void writesTheLineSimpleFormatterWroteWithSignetsFormat() {
    SimpleFormatter simple = simpleFormatter();
    LogLineFormatter lines = new LogLineFormatter();
    long base = Instant.parse("2026-11-23T04:12:59Z").toEpochMilli();
    for (long offset : new long[] {0, 7, 42, 999, 1000, 1001, 61_005, 86_400_000L}) {
      LogRecord r = record(Level.INFO, "issued serial=ab identity=spiffe://x", base + offset);
      assertThat(lines.format(r)).isEqualTo(simple.format(r));
    }
    LogRecord warning = record(Level.WARNING, "cannot renew; will retry", base);
    warning.setThrown(new IllegalStateException("boom"));
    assertThat(lines.format(warning)).isEqualTo(simple.format(warning))
        .contains("IllegalStateException: boom");
  }

  @Test
  void formatsParameters() {
    LogRecord r = record(Level.INFO, "ready {0} ms after start", 0);
    r.setParameters(new Object[] {"612"});
    assertThat(new LogLineFormatter().format(r)).endsWith("INFO signet.test: ready 612 ms after start"
        + System.lineSeparator());
  }

  private static LogRecord record(Level level, String message, long epochMilli) {
    LogRecord r = new LogRecord(level, message);
    r.setLoggerName("signet.test");
    r.setInstant(Instant.ofEpochMilli(epochMilli));
    r.setSourceClassName("dev.signet.Test"); // SimpleFormatter would otherwise walk the stack
    return r;
  }

  private static SimpleFormatter simpleFormatter() {
    String key = "java.util.logging.SimpleFormatter.format";
    String before = System.getProperty(key);
    System.setProperty(key, SIMPLE_FORMAT);
    try {
      return new SimpleFormatter();
    } finally {
      if (before == null) {
        System.clearProperty(key);
      } else {
        System.setProperty(key, before);
      }
    }
  }
}
