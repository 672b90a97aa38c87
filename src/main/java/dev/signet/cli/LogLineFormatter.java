package dev.signet.cli;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * Signet's log line: {@code 2026-11-23T04:12:12.705Z INFO signet.audit: issued serial=...},
 * then the stack trace of a thrown exception if the record has one.
 *
 * <p>The same line {@code SimpleFormatter} writes with Signet's format, without its cost on
 * the signing path (one audit line per certificate): no {@code String.format}, no stack walk to
 * find the caller, and the date and time formatted once per second.
 */
final class LogLineFormatter extends Formatter {
  private static final DateTimeFormatter SECOND =
      DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss");

  /** The formatted second of the last line; lines within one second share it. */
  private record Second(long epochSecond, String text) {}

  private volatile Second last = new Second(Long.MIN_VALUE, "");

  @Override
  public String format(LogRecord record) {
    long epochSecond = record.getInstant().getEpochSecond();
    Second second = last;
    if (second.epochSecond() != epochSecond) {
      second = new Second(epochSecond,
          SECOND.format(LocalDateTime.ofEpochSecond(epochSecond, 0, ZoneOffset.UTC)));
      last = second;
    }
    int millis = record.getInstant().getNano() / 1_000_000;
    String message = formatMessage(record);
    StringBuilder line = new StringBuilder(second.text().length() + message.length() + 48);
    line.append(second.text()).append('.')
        .append((char) ('0' + millis / 100))
        .append((char) ('0' + millis / 10 % 10))
        .append((char) ('0' + millis % 10))
        .append("Z ").append(record.getLevel().getName())
        .append(' ').append(record.getLoggerName())
        .append(": ").append(message);
    if (record.getThrown() != null) {
      StringWriter trace = new StringWriter();
      try (PrintWriter w = new PrintWriter(trace)) {
        w.println();
        record.getThrown().printStackTrace(w);
      }
      line.append(trace);
    }
    return line.append(System.lineSeparator()).toString();
  }
}
