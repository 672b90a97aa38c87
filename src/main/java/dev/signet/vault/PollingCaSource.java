package dev.signet.vault;

import dev.signet.ca.CaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.concurrent.DaemonThreads;
import dev.signet.error.SignetException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Logger;

/**
 * The common life of the Vault CA sources: one authority published atomically (requests read it
 * once and keep their snapshot, so a switch fails no request), a background check every
 * interval, and, when a check fails, the last good authority keeps signing until its certificate
 * expires, with a log line and {@code signet_vault_ca_refresh_failures_total}. Failed checks are
 * retried sooner (doubling from 100 ms up to the interval).
 */
abstract class PollingCaSource implements CaSource {
  private static final Logger LOG = Logger.getLogger(PollingCaSource.class.getName());

  protected final VaultMetrics metrics;
  protected final Clock clock;
  private final Consumer<SigningAuthority> onChange;
  private final ScheduledExecutorService scheduler;
  private volatile SigningAuthority current;
  private Duration interval;
  private int failures;

  PollingCaSource(VaultMetrics metrics, Clock clock, Consumer<SigningAuthority> onChange,
      String threadName) {
    this.metrics = metrics;
    this.clock = clock;
    this.onChange = onChange;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named(threadName));
  }

  /** Publishes the first authority and starts checking every {@code every}. */
  protected final void start(SigningAuthority initial, Duration every, String kind) {
    this.current = initial;
    this.interval = every;
    metrics.caExpiry(kind, () -> current.notAfter().getEpochSecond());
    schedule(nextCheck());
  }

  /** One check: returns a new authority to switch to, or null to keep the current one. */
  protected abstract SigningAuthority check(SigningAuthority current) throws Exception;

  /** When the next check is due after a successful one (the interval, unless overridden). */
  protected Duration nextCheck() {
    return interval;
  }

  /** Called after a switch, with the authority that was replaced. */
  protected void retired(SigningAuthority old) {}

  /** Runs {@code task} on the source's thread after {@code delay}. */
  protected final void later(Runnable task, Duration delay) {
    if (!scheduler.isShutdown()) {
      scheduler.schedule(task, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public final SigningAuthority current() {
    SigningAuthority a = current;
    if (a == null || !a.notAfter().isAfter(clock.instant())) {
      throw SignetException.unavailable("the CA certificate from Vault has expired and Vault "
          + "could not provide a new one; check Vault and Signet's logs", null);
    }
    return a;
  }

  /** The current authority even if expired, or null before start (for closing). */
  protected final SigningAuthority currentOrNull() {
    return current;
  }

  /** Runs one check now, on the caller's thread (tests, admin). */
  public final synchronized boolean refresh() throws Exception {
    SigningAuthority old = current;
    SigningAuthority next = check(old);
    if (next == null) {
      return false;
    }
    current = next;
    LOG.info(() -> describe() + ": switched to " + next + " (was " + old + ")");
    onChange.accept(next);
    retired(old);
    return true;
  }

  private void tick() {
    try {
      refresh();
      failures = 0;
      schedule(nextCheck());
    } catch (Exception e) {
      failures++;
      metrics.refreshFailed();
      SigningAuthority a = current;
      Instant notAfter = a.notAfter();
      Duration left = Duration.between(clock.instant(), notAfter);
      LOG.warning(() -> describe() + ": " + e.getMessage() + "; still signing with " + a
          + ", which expires in " + left.toHours() + "h");
      schedule(VaultClient.pollBackoff(failures, interval));
    }
  }

  private void schedule(Duration delay) {
    if (!scheduler.isShutdown()) {
      scheduler.schedule(this::tick, Math.max(1, delay.toMillis()), TimeUnit.MILLISECONDS);
    }
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
