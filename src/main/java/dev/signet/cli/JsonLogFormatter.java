package dev.signet.cli;

import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.logging.Formatter;
import java.util.logging.LogRecord;

/**
 * One JSON object per log record, on one line: {@code time} (UTC, milliseconds, ISO 8601),
 * {@code level} (java.util.logging's name), {@code logger}, {@code message}, and {@code error}
 * (the exception with its stack trace) when the record has one. These field names are stable
 * (docs/configuration.md, {@code log.format}); escaping is Gson's.
 */
final class JsonLogFormatter extends Formatter {
  @Override
  public String format(LogRecord record) {
    StringWriter line = new StringWriter(160);
    try (JsonWriter json = new JsonWriter(line)) {
      json.beginObject();
      json.name("time").value(record.getInstant().truncatedTo(
          java.time.temporal.ChronoUnit.MILLIS).toString());
      json.name("level").value(record.getLevel().getName());
      json.name("logger").value(record.getLoggerName());
      json.name("message").value(formatMessage(record));
      if (record.getThrown() != null) {
        StringWriter trace = new StringWriter();
        try (PrintWriter w = new PrintWriter(trace)) {
          record.getThrown().printStackTrace(w);
        }
        json.name("error").value(trace.toString());
      }
      json.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e); // a StringWriter does not fail
    }
    return line.append(System.lineSeparator()).toString();
  }
}
