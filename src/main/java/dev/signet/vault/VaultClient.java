package dev.signet.vault;

import static java.util.Objects.requireNonNull;

import dev.signet.config.SignetConfig;
import dev.signet.error.SignetException;
import io.github.jopenlibs.vault.Vault;
import io.github.jopenlibs.vault.VaultConfig;
import io.github.jopenlibs.vault.VaultException;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import io.github.jopenlibs.vault.response.LogicalResponse;
import java.net.http.HttpClient;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * Calls Vault's HTTP API with explicit paths (transit, pki, KV v2 {@code data/} and
 * {@code metadata/} spelled out by the caller) through {@code vault-java-driver}, configured once:
 *
 * <ul>
 *   <li>one shared {@link HttpClient} for every call (connections and TLS sessions are reused);
 *   <li>engine version 1 everywhere, so the driver never rewrites a path or wraps a body;
 *   <li>a timeout on every call; retries with doubling, jittered backoff only after a 5xx answer
 *       or a connection failure, never after a 4xx (the driver's own retries are off);
 *   <li>the token from {@link VaultSession}, which renews it and logs in again; a 403 triggers
 *       one more try with a fresh token (it may have expired under us) when the session allows
 *       a login now, else fails at once.
 * </ul>
 *
 * <p>Every failure is a {@link SignetException} UNAVAILABLE naming the operation and the path,
 * never the token. Safe for concurrent use.
 */
public final class VaultClient {
  private static final long FIRST_BACKOFF_MS = 100;

  private final String address;
  private final HttpClient http;
  private final int timeoutSeconds;
  private final int maxRetries;
  private final VaultMetrics metrics;
  private final CallerFailures callerFailures = new CallerFailures();
  /** The address for messages and logs: without user information. */
  private final String shownAddress;
  private volatile VaultSession session;

  public VaultClient(SignetConfig.Vault config, HttpClient http, VaultMetrics metrics) {
    String a = config.address().toString();
    this.address = a.endsWith("/") ? a.substring(0, a.length() - 1) : a;
    String shown = SignetConfig.redacted(config.address());
    this.shownAddress = shown.endsWith("/") ? shown.substring(0, shown.length() - 1) : shown;
    this.http = requireNonNull(http, "http");
    this.timeoutSeconds = (int) Math.max(1, (config.timeout().toMillis() + 999) / 1000);
    this.maxRetries = config.maxRetries();
    this.metrics = requireNonNull(metrics, "metrics");
  }

  /** The shared HTTP client for Vault, with the connect timeout and Vault's CA. */
  public static HttpClient httpClient(SignetConfig.Vault config) {
    HttpClient.Builder b = HttpClient.newBuilder()
        .connectTimeout(config.timeout())
        .version(HttpClient.Version.HTTP_1_1);
    if (config.caFile().isPresent()) {
      b.sslContext(TrustFiles.sslContext(config.caFile().get()));
    }
    return b.build();
  }

  /** Attaches the session whose token authenticates calls (done once, before first use). */
  void attach(VaultSession session) {
    this.session = requireNonNull(session, "session");
  }

  /** The Vault address for messages and logs (never with credentials in it). */
  public String address() {
    return shownAddress;
  }

  /** How failures on a request's path are logged and told to the caller. */
  CallerFailures callerFailures() {
    return callerFailures;
  }

  /** GET {@code /v1/<path>}: the whole JSON answer. */
  public JsonObject read(String operation, String path) {
    return call(operation, path, null, true);
  }

  /** POST {@code /v1/<path>} with a JSON body: the whole JSON answer (empty for 204). */
  public JsonObject write(String operation, String path, Map<String, Object> body) {
    return call(operation, path, body, true);
  }

  /** Like {@link #write} but with a given token and no re-login (login and renewal calls). */
  JsonObject writeWithToken(String operation, String path, Map<String, Object> body,
      String token) {
    return execute(operation, path, body, token);
  }

  /** Like {@link #read} but with a given token and no re-login (token lookup). */
  JsonObject readWithToken(String operation, String path, String token) {
    return execute(operation, path, null, token);
  }

  private JsonObject call(String operation, String path, Map<String, Object> body,
      boolean mayRelogin) {
    VaultSession s = requireNonNull(session, "no Vault session attached");
    String token = s.token();
    JsonObject answer;
    try {
      answer = execute(operation, path, body, token);
    } catch (VaultHttpException e) {
      // The token may have expired or been revoked: retry once with a fresh one, if the session
      // may log in now (it refuses while a login runs or too soon after the last one).
      if (e.status != 403 || !mayRelogin || !s.relogin(token)) {
        throw e;
      }
      answer = execute(operation, path, body, s.token());
    }
    s.succeeded();
    return answer;
  }

  private JsonObject execute(String operation, String path, Map<String, Object> body,
      String token) {
    long start = System.nanoTime();
    String outcome = "error";
    try {
      for (int attempt = 0; ; attempt++) {
        try {
          JsonObject result = once(path, body, token);
          outcome = "ok";
          return result;
        } catch (VaultHttpException e) {
          boolean retryable = e.status == 0 || e.status >= 500;
          if (!retryable || attempt >= maxRetries) {
            outcome = e.status == 0 ? "unreachable" : "http_" + e.status;
            throw e;
          }
          backoff(attempt);
        }
      }
    } finally {
      metrics.call(operation, outcome, System.nanoTime() - start);
    }
  }

  private JsonObject once(String path, Map<String, Object> body, String token) {
    Vault vault = Vault.create(config(token), 1);
    LogicalResponse response;
    try {
      response = body == null ? vault.logical().read(path) : vault.logical().write(path, body);
    } catch (VaultException e) {
      throw VaultHttpException.of(shownAddress, path, e);
    }
    int status = response.getRestResponse().getStatus();
    byte[] raw = response.getRestResponse().getBody();
    if (status >= 400) {
      throw new VaultHttpException(status, path, errors(raw));
    }
    if (raw == null || raw.length == 0) {
      return new JsonObject();
    }
    try {
      return Json.parse(new String(raw, StandardCharsets.UTF_8)).asObject();
    } catch (RuntimeException e) {
      throw new VaultHttpException(status, path, "the answer is not a JSON object");
    }
  }

  private VaultConfig config(String token) {
    try {
      // The driver keeps no state of its own between calls: building a config per call is cheap
      // (no I/O), and the HTTP client, the costly part, is shared.
      return new VaultConfig()
          .address(address)
          .token(token)
          .engineVersion(1)
          .openTimeout(timeoutSeconds)
          .readTimeout(timeoutSeconds)
          .httpClient(http)
          .build();
    } catch (VaultException e) {
      throw SignetException.internal("the Vault client configuration is invalid", e);
    }
  }

  /** Vault's own error texts ({@code errors: [...]}); they name paths and policies, no secrets. */
  private static String errors(byte[] raw) {
    if (raw == null || raw.length == 0) {
      return "no details";
    }
    try {
      JsonValue errs = Json.parse(new String(raw, StandardCharsets.UTF_8)).asObject()
          .get("errors");
      if (errs != null && errs.isArray()) {
        StringBuilder sb = new StringBuilder();
        for (JsonValue v : errs.asArray()) {
          sb.append(sb.length() == 0 ? "" : "; ").append(v.isString() ? v.asString() : v);
        }
        String text = sb.toString();
        return text.length() > 300 ? text.substring(0, 300) + "..." : text;
      }
    } catch (RuntimeException e) {
      // not JSON: say nothing more
    }
    return "no details";
  }

  private static void backoff(int attempt) {
    long ms = FIRST_BACKOFF_MS << Math.min(attempt, 6);
    ms += ThreadLocalRandom.current().nextLong(ms / 2 + 1);
    LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(ms));
  }

  /** A failed call: HTTP status (0 when Vault could not be reached) and what Vault said. */
  static final class VaultHttpException extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final int status;

    VaultHttpException(int status, String path, String detail) {
      super((status == 0 ? "Vault could not be reached for " + path
          : "Vault answered HTTP " + status + " for " + path) + ": " + detail, null, false,
          false);
      this.status = status;
    }

    static VaultHttpException of(String address, String path, VaultException e) {
      int status = e.getHttpStatusCode();
      if (status == 0) {
        return new VaultHttpException(0, path, "no answer from " + address
            + " (connection refused or timed out)");
      }
      return new VaultHttpException(status, path, "server error");
    }

    /** The domain failure for a caller of Signet. */
    SignetException toSignet(String what) {
      return SignetException.unavailable(what + " failed: " + getMessage()
          + (status == 403 ? " (check Signet's Vault policy and login)" : ""), null);
    }
  }

  /** Converts a failure of {@code call} into the domain failure, for code outside this class. */
  public static SignetException unavailable(String what, RuntimeException e) {
    if (e instanceof VaultHttpException v) {
      return v.toSignet(what);
    }
    if (e instanceof SignetException s) {
      return s;
    }
    return SignetException.unavailable(what + " failed: " + e.getClass().getSimpleName(), e);
  }

  /** The backoff after {@code attempt} failed polls, for background loops. */
  static Duration pollBackoff(int failures, Duration interval) {
    long ms = Math.min(interval.toMillis(), FIRST_BACKOFF_MS << Math.min(failures, 10));
    return Duration.ofMillis(Math.max(ms, 50));
  }
}
