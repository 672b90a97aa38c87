package dev.signet.logging;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A logger for lines a peer can cause (a refusal, a backend failure, detail the caller must not
 * be told): at most one line per kind of event per interval, never with a stack trace, so a
 * client that repeats a failing request cannot flood the log. The next line after a quiet spell
 * says how many were left out ({@link LogLimiter}).
 */
public final class ThrottledLog {
  private final Logger logger;
  private final Duration interval;
  private final LogLimiter limiter;

  public ThrottledLog(Logger logger, Duration interval) {
    this.logger = requireNonNull(logger, "logger");
    this.interval = requireNonNull(interval, "interval");
    this.limiter = new LogLimiter(interval);
  }

  /**
   * Logs {@code message} unless an event of {@code kind} (a fixed name from the code, never
   * input) was logged within the interval.
   */
  public void log(Level level, String kind, Supplier<String> message) {
    if (!logger.isLoggable(level)) {
      return;
    }
    int held = limiter.admit(kind);
    if (held >= 0) {
      logger.log(level, message.get() + LogLimiter.held(held, interval));
    }
  }
}
