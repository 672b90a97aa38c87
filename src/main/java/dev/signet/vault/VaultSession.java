package dev.signet.vault;

import static java.util.Objects.requireNonNull;

import dev.signet.concurrent.DaemonThreads;
import dev.signet.config.SignetConfig.VaultAuth;
import dev.signet.config.SignetConfig.VaultAuthMethod;
import dev.signet.error.SignetException;
import dev.signet.logging.ThrottledLog;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Signet's Vault token: obtained by the configured method (token file, Kubernetes service-account
 * login, AppRole), renewed with {@code renew-self} when two thirds of its lease have passed, and
 * replaced by a fresh login when renewal stops extending it (max TTL reached) or fails with 4xx.
 * A token file is also read every {@link #TOKEN_FILE_CHECK}: a new token there (Vault Agent
 * logged in again) is checked with {@code lookup-self} and used from then on.
 *
 * <p>A 403 on a call may mean the token expired or was revoked, so it may trigger a login
 * ({@link #relogin}), but a 403 that a new token does not cure (a policy change) must not turn
 * every request into a login (each one a new token, and a TokenReview on Vault's side). So such
 * logins run one at a time (calls that meet one wait for it), at most one per pause since the
 * previous refusal-triggered login, the pause doubling from 2 s up to 5 min while calls keep
 * failing and reset by the first call that succeeds; within the pause calls fail at once. The token a 403-triggered login replaces is revoked
 * ({@code revoke-self}, best effort) unless it came from a token file.
 *
 * <p>The token is swapped atomically; calls in flight keep the token they started with, which
 * stays valid until its own expiry, so no request is dropped by a renewal. The token is never
 * logged or put into a message.
 */
public final class VaultSession implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VaultSession.class.getName());
  private static final Duration MIN_DELAY = Duration.ofMillis(200);
  private static final Duration FIRST_RELOGIN_PAUSE = Duration.ofSeconds(2);
  private static final Duration MAX_RELOGIN_PAUSE = Duration.ofMinutes(5);
  /** How often a token file (method token) is read for a new token. */
  static final Duration TOKEN_FILE_CHECK = Duration.ofSeconds(5);

  private final VaultClient client;
  private final VaultAuth auth;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private volatile Lease lease;
  private final Object reloginLock = new Object();
  /** When the last login that a refusal triggered (successful or not) ended. */
  private volatile Instant lastRelogin = Instant.MIN;
  /** How long after the last login a 403 may trigger another. */
  private volatile Duration reloginPause = FIRST_RELOGIN_PAUSE;
  /** Renewals scheduled for an older chain stop once a token file change starts a new one. */
  private final AtomicLong renewalChain = new AtomicLong();
  private final ThrottledLog tokenFileLog = new ThrottledLog(LOG, Duration.ofMinutes(1));

  /** A token and what Vault said about its lifetime. */
  private record Lease(String token, Instant obtained, Duration duration, boolean renewable) {
    boolean expires() {
      return !duration.isZero();
    }

    @Override
    public String toString() {
      return "Lease[ttl=" + duration + ", renewable=" + renewable + "]"; // never the token
    }
  }

  private VaultSession(VaultClient client, VaultAuth auth, Clock clock) {
    this.client = client;
    this.auth = auth;
    this.clock = clock;
    this.scheduler = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("signet-vault-token"));
  }

  /** Logs in now (failing start-up when Vault refuses) and keeps the token fresh. */
  public static VaultSession open(VaultClient client, VaultAuth auth, Clock clock) {
    VaultSession s = new VaultSession(requireNonNull(client), requireNonNull(auth),
        requireNonNull(clock));
    client.attach(s);
    s.lease = s.login();
    s.scheduleRenewal(s.lease);
    if (auth.method() == VaultAuthMethod.TOKEN) {
      long every = TOKEN_FILE_CHECK.toMillis();
      s.scheduler.scheduleWithFixedDelay(s::checkTokenFile, every, every, TimeUnit.MILLISECONDS);
    }
    return s;
  }

  String token() {
    return lease.token();
  }

  /**
   * After Vault refused {@code staleToken} with 403: whether to retry with {@link #token()}.
   * True when another thread already replaced that token (a call that finds a login running
   * waits for it), or when this call logged in afresh (and revoked the refused token); false,
   * at once, within the pause after the last login a refusal triggered.
   *
   * @throws SignetException UNAVAILABLE when the login fails
   */
  boolean relogin(String staleToken) {
    // One login at a time: a call that finds one running waits for it (bounded by the login's
    // own Vault timeout) and retries with the token it brought.
    synchronized (reloginLock) {
      Lease old = lease;
      if (!old.token().equals(staleToken)) {
        return true;
      }
      if (clock.instant().isBefore(lastRelogin.plus(reloginPause))) {
        return false;
      }
      Duration pause = reloginPause;
      reloginPause = pause.multipliedBy(2).compareTo(MAX_RELOGIN_PAUSE) > 0
          ? MAX_RELOGIN_PAUSE : pause.multipliedBy(2);
      Lease next;
      try {
        next = login();
      } finally {
        lastRelogin = clock.instant();
      }
      synchronized (this) {
        lease = next;
      }
      LOG.info(() -> "Vault token replaced after a refusal (" + auth.method() + " login), "
          + next + "; the next such login waits at least " + reloginPause);
      if (auth.method() != VaultAuthMethod.TOKEN) {
        revoke(old);
      }
      return true;
    }
  }

  /** A call with the current token succeeded: a later 403 may log in again soon. */
  void succeeded() {
    if (reloginPause != FIRST_RELOGIN_PAUSE) {
      reloginPause = FIRST_RELOGIN_PAUSE;
    }
  }

  /** Revokes a token Signet obtained and no longer uses; failures only cost its lifetime. */
  private void revoke(Lease old) {
    try {
      client.writeWithToken("token revoke", "auth/token/revoke-self", Map.of(), old.token());
    } catch (RuntimeException e) {
      LOG.info(() -> "could not revoke the replaced Vault token (" + e.getMessage()
          + "); it lapses at the end of its lease, " + old.obtained().plus(old.duration()));
    }
  }

  private Lease login() {
    return switch (auth.method()) {
      case TOKEN -> tokenFromFile();
      case KUBERNETES -> loginWith(Map.of("role", auth.role(), "jwt", readSecretFile(
          auth.jwtFile(), "ca.vault.auth.jwt-file")));
      case APPROLE -> loginWith(Map.of("role_id", auth.roleId(), "secret_id",
          readSecretFile(auth.secretIdFile().orElseThrow(), "ca.vault.auth.secret-id-file")));
    };
  }

  private Lease loginWith(Map<String, String> fields) {
    String path = "auth/" + auth.effectiveMount() + "/login";
    JsonObject answer;
    try {
      answer = client.writeWithToken("login", path, new LinkedHashMap<>(fields), null);
    } catch (RuntimeException e) {
      throw VaultClient.unavailable("Vault login (" + auth.method().name().toLowerCase(
          java.util.Locale.ROOT) + ")", e);
    }
    JsonValue a = answer.get("auth");
    if (a == null || !a.isObject() || a.asObject().get("client_token") == null) {
      throw SignetException.unavailable("Vault login at " + path + " returned no token", null);
    }
    JsonObject o = a.asObject();
    return new Lease(o.getString("client_token", ""), clock.instant(),
        Duration.ofSeconds(o.getLong("lease_duration", 0)), o.getBoolean("renewable", false));
  }

  private Lease tokenFromFile() {
    String token = readSecretFile(auth.tokenFile().orElseThrow(), "ca.vault.auth.token-file");
    JsonObject answer;
    try {
      answer = client.readWithToken("token lookup", "auth/token/lookup-self", token);
    } catch (RuntimeException e) {
      throw VaultClient.unavailable("Vault token lookup", e);
    }
    JsonObject data = answer.get("data").asObject();
    return new Lease(token, clock.instant(), Duration.ofSeconds(data.getLong("ttl", 0)),
        data.getBoolean("renewable", false));
  }

  private static String readSecretFile(Path file, String key) {
    try {
      String s = Files.readString(file, StandardCharsets.UTF_8).trim();
      if (s.isEmpty()) {
        throw SignetException.unavailable(key + " " + file + " is empty", null);
      }
      return s;
    } catch (IOException e) {
      throw SignetException.unavailable("cannot read " + key + " " + file + ": "
          + e.getClass().getSimpleName(), null);
    }
  }

  private void scheduleRenewal(Lease l) {
    if (!l.expires()) {
      return; // a token without TTL (e.g. a root token in dev) never needs renewal
    }
    Duration delay = l.duration().multipliedBy(2).dividedBy(3)
        .minus(Duration.between(l.obtained(), clock.instant()));
    schedule(delay.compareTo(MIN_DELAY) < 0 ? MIN_DELAY : delay);
  }

  private void schedule(Duration delay) {
    long chain = renewalChain.get();
    if (!scheduler.isShutdown()) {
      scheduler.schedule(() -> {
        if (chain == renewalChain.get()) {
          refresh();
        }
      }, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  /**
   * Method token: when the file holds another token (Vault Agent wrote a new one), checks it
   * with {@code lookup-self} and uses it from then on, renewed on its own lease. A token that
   * cannot be used leaves the current one in place (logged at most once a minute); the file is
   * read again at the next check. Runs on the scheduler's one thread, like {@link #refresh}.
   */
  private void checkTokenFile() {
    Lease current = lease;
    try {
      String onDisk = readSecretFile(auth.tokenFile().orElseThrow(), "ca.vault.auth.token-file");
      if (onDisk.equals(current.token())) {
        return;
      }
      Lease next = tokenFromFile();
      synchronized (this) {
        if (lease != current) {
          return; // a 403-triggered login read the file meanwhile
        }
        lease = next;
      }
      renewalChain.incrementAndGet();
      scheduleRenewal(next);
      LOG.info(() -> "ca.vault.auth.token-file changed: using its new token, " + next);
    } catch (RuntimeException e) {
      tokenFileLog.log(Level.WARNING, "token-file", () -> "ca.vault.auth.token-file holds a "
          + "token that cannot be used (" + e.getMessage() + "); keeping the current token");
    }
  }

  private int failures;

  private void refresh() {
    Lease current = lease;
    try {
      Lease next = renewOrLogin(current);
      boolean unused;
      synchronized (this) {
        unused = lease != current;
        if (!unused) {
          lease = next;
        }
      }
      if (unused && !next.token().equals(current.token())
          && auth.method() != VaultAuthMethod.TOKEN) {
        revoke(next); // a fresh login, but a 403-triggered one replaced the token meanwhile
      }
      failures = 0;
      scheduleRenewal(lease);
    } catch (RuntimeException e) {
      failures++;
      Duration retry = VaultClient.pollBackoff(failures, current.duration().dividedBy(10));
      LOG.warning(() -> "Vault token refresh failed (" + e.getMessage() + "); retrying in "
          + retry.toMillis() + " ms with the current token, which expires at "
          + current.obtained().plus(current.duration()));
      schedule(retry);
    }
  }

  private Lease renewOrLogin(Lease current) {
    if (auth.method() == VaultAuthMethod.TOKEN) {
      String onDisk = readSecretFile(auth.tokenFile().orElseThrow(), "ca.vault.auth.token-file");
      if (!onDisk.equals(current.token())) {
        return tokenFromFile(); // the file was rotated: use the new token
      }
    }
    if (current.renewable()) {
      try {
        JsonObject answer = client.writeWithToken("token renew", "auth/token/renew-self",
            Map.of(), current.token());
        JsonObject a = answer.get("auth").asObject();
        Duration granted = Duration.ofSeconds(a.getLong("lease_duration", 0));
        // Vault caps renewals at the token's max TTL: once a renewal grants clearly less than
        // the original lease, the end is near, so log in afresh instead.
        if (granted.compareTo(current.duration().dividedBy(2)) >= 0
            || auth.method() == VaultAuthMethod.TOKEN) {
          return new Lease(current.token(), clock.instant(), granted, true);
        }
        LOG.info(() -> "Vault token reaches its max TTL; logging in again");
      } catch (VaultClient.VaultHttpException e) {
        if (e.status == 0 || e.status >= 500) {
          throw e;
        }
        LOG.info(() -> "Vault refused to renew the token (HTTP " + e.status
            + "); logging in again");
      }
    }
    if (auth.method() == VaultAuthMethod.TOKEN) {
      return tokenFromFile();
    }
    return login();
  }

  @Override
  public void close() {
    scheduler.shutdownNow();
  }
}
