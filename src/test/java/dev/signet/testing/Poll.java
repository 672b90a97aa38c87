package dev.signet.testing;

import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Waiting for a condition with a deadline, the only way tests wait. */
public final class Poll {
  private static final long INTERVAL_NANOS = Duration.ofMillis(50).toNanos();

  private Poll() {}

  /** Polls {@code condition} until it holds; fails after {@code within}. */
  public static void until(BooleanSupplier condition, Duration within) {
    until(condition, within, "condition");
  }

  /** Polls {@code condition} until it holds; fails naming {@code what} after {@code within}. */
  public static void until(BooleanSupplier condition, Duration within, String what) {
    Instant deadline = Instant.now().plus(within);
    while (!condition.getAsBoolean()) {
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError(what + " did not hold within " + within);
      }
      pause();
    }
  }

  /** The interval between two checks of a polled condition. */
  public static void pause() {
    LockSupport.parkNanos(INTERVAL_NANOS);
  }
}
