package dev.signet.logging;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Lets one log line per key through per interval and counts the rest, so that a peer repeating
 * a refused request cannot flood the logs. Keys are kinds named by Signet's code (an outcome, an
 * exception class), never text a peer chose; past {@value #MAX_KEYS} keys, new ones share one
 * window.
 */
public final class LogLimiter {
  private static final int MAX_KEYS = 256;
  private static final String OVERFLOW = "(other)";

  private final long intervalNanos;
  private final ConcurrentHashMap<String, Window> windows = new ConcurrentHashMap<>();

  public LogLimiter(Duration interval) {
    this.intervalNanos = interval.toNanos();
  }

  /**
   * Whether a line of kind {@code key} may be logged now: -1 if not (it is counted), else how
   * many lines of that kind were held back since the last one let through.
   */
  public int admit(String key) {
    Window w = windows.get(key);
    if (w == null) {
      String k = windows.size() < MAX_KEYS ? key : OVERFLOW;
      w = windows.computeIfAbsent(k, x -> new Window());
    }
    return w.admit(System.nanoTime(), intervalNanos);
  }

  /** The suffix that tells how many lines were held back, empty when none were. */
  public static String held(int count, Duration interval) {
    return count <= 0 ? "" : " (" + count + " more like this in the previous "
        + interval.toSeconds() + "s not logged)";
  }

  private static final class Window {
    private long openedAt;
    private boolean opened;
    private int held;

    synchronized int admit(long now, long interval) {
      if (opened && now - openedAt < interval) {
        held++;
        return -1;
      }
      opened = true;
      openedAt = now;
      int h = held;
      held = 0;
      return h;
    }
  }
}
