package dev.signet.cli;

import dev.signet.config.SignetConfig;
import java.util.logging.ConsoleHandler;
import java.util.logging.Formatter;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;

/** Applies {@code log.level} and {@code log.format} to the process's console log. */
final class LogSetup {
  private LogSetup() {}

  /**
   * Sets the root logger's and the console handlers' level, and their formatter unless the
   * operator chose a {@code SimpleFormatter} format with
   * {@code -Djava.util.logging.SimpleFormatter.format} (then text stays theirs).
   */
  static void apply(SignetConfig.Log log) {
    Level level = log.level().julLevel();
    Logger root = LogManager.getLogManager().getLogger("");
    root.setLevel(level);
    boolean ownText = System.getProperty("java.util.logging.SimpleFormatter.format") != null;
    for (Handler h : root.getHandlers()) {
      if (h instanceof ConsoleHandler) {
        h.setLevel(level);
        Formatter f = formatter(log.format(), ownText);
        if (f != null) {
          h.setFormatter(f);
        }
      }
    }
  }

  /** The formatter for a format; null keeps the handler's (an operator's text format). */
  static Formatter formatter(SignetConfig.LogFormat format, boolean operatorText) {
    return switch (format) {
      case JSON -> new JsonLogFormatter();
      case TEXT -> operatorText ? null : new LogLineFormatter();
    };
  }
}
