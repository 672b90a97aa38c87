package dev.signet.error;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Supplier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Server-side detail that a caller must not be told (an API server's error text, configured
 * cluster ids, HTTP codes), logged at most once per {@code interval} per kind of event, never
 * with a stack trace, so a client that repeats a failing request cannot flood the log. The next
 * line after a quiet spell says how many were left out.
 */
public final class ThrottledLog {
  private final Logger logger;
  private final long intervalNanos;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  private static final class Window {
    final AtomicLong next = new AtomicLong(Long.MIN_VALUE);
    final AtomicLong suppressed = new AtomicLong();
  }

  public ThrottledLog(Logger logger, Duration interval) {
    this.logger = requireNonNull(logger, "logger");
    this.intervalNanos = interval.toNanos();
  }

  /**
   * Logs {@code message} unless an event of {@code kind} (a fixed name from the code, never
   * input) was logged within the interval.
   */
  public void log(Level level, String kind, Supplier<String> message) {
    if (!logger.isLoggable(level)) {
      return;
    }
    Window w = windows.computeIfAbsent(kind, k -> new Window());
    long now = System.nanoTime();
    long next = w.next.get();
    if (next != Long.MIN_VALUE && now - next < 0) {
      w.suppressed.incrementAndGet();
      return;
    }
    if (!w.next.compareAndSet(next, now + intervalNanos)) {
      w.suppressed.incrementAndGet();
      return;
    }
    long left = w.suppressed.getAndSet(0);
    logger.log(level, message.get() + (left > 0 ? " (" + left + " more like this not logged)"
        : ""));
  }
}
