package dev.signet.vault;

import static java.util.Objects.requireNonNull;

import dev.signet.concurrent.DaemonThreads;
import dev.signet.config.SignetConfig.VaultAuth;
import dev.signet.config.SignetConfig.VaultAuthMethod;
import dev.signet.error.SignetException;
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
import java.util.logging.Logger;

/**
 * Signet's Vault token: obtained by the configured method (token file, Kubernetes service-account
 * login, AppRole), renewed with {@code renew-self} when two thirds of its lease have passed, and
 * replaced by a fresh login when renewal stops extending it (max TTL reached) or fails with 4xx.
 *
 * <p>The token is swapped atomically; calls in flight keep the token they started with, which
 * stays valid until its own expiry, so no request is dropped by a renewal. The token is never
 * logged or put into a message.
 */
public final class VaultSession implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(VaultSession.class.getName());
  private static final Duration MIN_DELAY = Duration.ofMillis(200);

  private final VaultClient client;
  private final VaultAuth auth;
  private final Clock clock;
  private final ScheduledExecutorService scheduler;
  private volatile Lease lease;

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
    return s;
  }

  String token() {
    return lease.token();
  }

  /** True when a fresh token can be obtained (always: a token file is re-read). */
  boolean canLogin() {
    return true;
  }

  /** Logs in again unless another thread already replaced {@code staleToken}. */
  synchronized void relogin(String staleToken) {
    if (!lease.token().equals(staleToken)) {
      return;
    }
    Lease next = login();
    lease = next;
    LOG.info(() -> "Vault token replaced after a refusal (" + auth.method() + " login), " + next);
  }

  private Lease login() {
    return switch (auth.method()) {
      case TOKEN -> tokenFromFile();
      case KUBERNETES -> loginWith(Map.of("role", auth.role(), "jwt", readSecretFile(
          auth.jwtFile(), "ca.vault.auth.jwt-file")));
      case APPROLE -> loginWith(Map.of("role_id", auth.roleId(), "secret_id", readSecretFile(
          auth.secretIdFile().orElseThrow(), "ca.vault.auth.secret-id-file")));
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
    if (!scheduler.isShutdown()) {
      scheduler.schedule(this::refresh, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
  }

  private int failures;

  private void refresh() {
    Lease current = lease;
    try {
      Lease next = renewOrLogin(current);
      synchronized (this) {
        if (lease == current) {
          lease = next;
        }
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
