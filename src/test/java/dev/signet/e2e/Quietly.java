package dev.signet.e2e;

import java.util.concurrent.Callable;
import java.util.function.BooleanSupplier;

/** Conditions for {@link dev.signet.testing.Poll} that read files or the API server. */
final class Quietly {
  private Quietly() {}

  /** {@code condition}, where an exception (a file half-written, a call refused) is "not yet". */
  static BooleanSupplier holds(Callable<Boolean> condition) {
    return () -> {
      try {
        return condition.call();
      } catch (Exception e) {
        return false;
      }
    };
  }
}
