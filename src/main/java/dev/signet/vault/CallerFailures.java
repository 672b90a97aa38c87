package dev.signet.vault;

import dev.signet.error.SignetException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;

/**
 * Turns a Vault failure on a request's path into what the caller is told: a short UNAVAILABLE
 * that names nothing inside Signet (no Vault address, path, policy or Vault error text). The
 * details go to the log instead: at most one line every 10 s, with the number of failures not
 * logged since, and never a stack trace, so a failing Vault cannot flood the log.
 */
final class CallerFailures {
  /** The one message a caller gets when Vault fails its request. */
  static final String MESSAGE = "the CA key store is unavailable; retry";

  private static final Logger LOG = Logger.getLogger(CallerFailures.class.getName());
  private static final long LOG_EVERY_NANOS = TimeUnit.SECONDS.toNanos(10);

  private final AtomicLong nextLog = new AtomicLong(System.nanoTime() - LOG_EVERY_NANOS);
  private final AtomicLong unlogged = new AtomicLong();

  /** Logs {@code detail} (rate-limited) and returns the caller's failure. */
  SignetException forCaller(SignetException detail) {
    long now = System.nanoTime();
    long next = nextLog.get();
    if (now - next >= 0 && nextLog.compareAndSet(next, now + LOG_EVERY_NANOS)) {
      long more = unlogged.getAndSet(0);
      LOG.warning(() -> "a request failed on Vault: " + detail.getMessage()
          + (more > 0 ? " (and " + more + " more failures in the last 10 s, not logged)" : ""));
    } else {
      unlogged.incrementAndGet();
    }
    return SignetException.unavailable(MESSAGE, null);
  }
}
