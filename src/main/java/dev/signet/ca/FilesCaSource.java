package dev.signet.ca;

import static java.util.Objects.requireNonNull;

import dev.signet.ca.CaFiles.InvalidCaException;
import dev.signet.concurrent.DaemonThreads;
import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * A CA from Istio's plug-in files, re-read when they change. A new file set that fails any check
 * is refused with a log line naming the problem, and the last good authority keeps signing.
 */
public final class FilesCaSource implements CaSource {
  private static final Logger LOG = Logger.getLogger(FilesCaSource.class.getName());

  private final Path directory;
  private final CryptoProvider crypto;
  private final Consumer<SigningAuthority> onChange;
  private final ScheduledExecutorService poller;
  private volatile SigningAuthority current;
  private byte[][] lastSeen;

  /** The outcome of one reload check. */
  public enum ReloadResult {
    UNCHANGED,
    RELOADED,
    REFUSED
  }

  private FilesCaSource(Path directory, CryptoProvider crypto, SigningAuthority initial,
      byte[][] seen, Consumer<SigningAuthority> onChange, Duration interval) {
    this.directory = directory;
    this.crypto = crypto;
    this.current = initial;
    this.lastSeen = seen;
    this.onChange = onChange;
    if (interval == null) {
      this.poller = null;
    } else {
      this.poller = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("signet-ca-files-reload"));
      long ms = interval.toMillis();
      poller.scheduleWithFixedDelay(this::reloadQuietly, ms, ms, TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Loads the files now, failing start-up if they are unusable, and polls them every
   * {@code interval} (null: only on {@link #reload()}).
   *
   * @param onChange told of every newly accepted authority (e.g. to renew the serving cert)
   */
  public static FilesCaSource open(Path directory, CryptoProvider crypto, Duration interval,
      Consumer<SigningAuthority> onChange) throws InvalidCaException {
    requireNonNull(directory, "directory");
    byte[][] seen;
    try {
      seen = CaFiles.snapshot(directory);
    } catch (IOException e) {
      throw new InvalidCaException("cannot read " + directory + ": " + e.getMessage());
    }
    SigningAuthority initial = CaFiles.load(directory, crypto);
    LOG.info(() -> "CA loaded from " + directory + ": " + initial);
    return new FilesCaSource(directory, crypto, initial, seen, requireNonNull(onChange),
        interval);
  }

  @Override
  public SigningAuthority current() {
    SigningAuthority a = current;
    if (a == null) {
      throw SignetException.unavailable("no CA is loaded", null);
    }
    return a;
  }

  /** Checks the files once; a changed, valid set replaces the current authority. */
  public synchronized ReloadResult reload() {
    byte[][] now;
    try {
      now = CaFiles.snapshot(directory);
    } catch (IOException e) {
      LOG.warning(() -> "CA files in " + directory + " cannot be read (" + e.getMessage()
          + "); still signing with " + current);
      return ReloadResult.REFUSED;
    }
    if (Arrays.deepEquals(now, lastSeen)) {
      return ReloadResult.UNCHANGED;
    }
    lastSeen = now;
    try {
      SigningAuthority next = CaFiles.load(directory, crypto);
      current = next;
      LOG.info(() -> "CA reloaded from " + directory + ": " + next);
      onChange.accept(next);
      return ReloadResult.RELOADED;
    } catch (InvalidCaException e) {
      LOG.warning(() -> "refusing the new CA files in " + directory + ": " + e.getMessage()
          + "; still signing with " + current);
      return ReloadResult.REFUSED;
    }
  }

  private void reloadQuietly() {
    try {
      reload();
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "CA reload failed; still signing with the last good CA", e);
    }
  }

  @Override
  public String describe() {
    return "files(" + directory + ")";
  }

  @Override
  public void close() {
    if (poller != null) {
      poller.shutdownNow();
    }
  }
}
