package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import dev.signet.error.SignetException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Remembers what a token authenticator said yes to, so a busy workload's renewals do not each
 * cost a signature check or an API-server round trip.
 *
 * <ul>
 *   <li>Keyed by SHA-256 of the cluster id and the token: the token itself is never stored.
 *   <li>Only successes are kept, each until the earlier of the token's own expiry ({@code exp},
 *       read without trusting it for anything else) and {@code maxTtl}. A revoked token is
 *       therefore still accepted for at most {@code maxTtl} after its revocation.
 *   <li>Concurrent calls with the same token share one check (single flight); its failure is
 *       handed to every caller that waited on it and is not remembered.
 *   <li>At most {@code maxEntries} are kept; beyond that, expired entries go first, then
 *       arbitrary ones.
 * </ul>
 */
public final class CachingAuthenticator implements Authenticator {
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  });

  private final Authenticator delegate;
  private final Duration maxTtl;
  private final int maxEntries;
  private final Clock clock;
  private final ConcurrentHashMap<Key, CompletableFuture<Verdict>> entries =
      new ConcurrentHashMap<>();
  private final Counter hits;
  private final Counter misses;

  /** A digest of cluster id and token; equal digests are the same token for the same cluster. */
  private record Key(long a, long b, long c, long d) {}

  /** A positive answer and when it stops being trusted. */
  private record Verdict(Caller caller, Instant expiry) {}

  /**
   * @param tags what the meters say of the delegate, e.g. {@code cluster} and {@code method}
   */
  public CachingAuthenticator(Authenticator delegate, Duration maxTtl, int maxEntries,
      Clock clock, MeterRegistry registry, Tags tags) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.maxTtl = requireNonNull(maxTtl, "maxTtl");
    this.maxEntries = maxEntries;
    this.clock = requireNonNull(clock, "clock");
    this.hits = Counter.builder("signet.auth.cache.requests").tags(tags).tag("result", "hit")
        .description("Token checks answered from the cache").register(registry);
    this.misses = Counter.builder("signet.auth.cache.requests").tags(tags).tag("result", "miss")
        .description("Token checks that went to the authenticator").register(registry);
    registry.gauge("signet.auth.cache.entries", tags, entries, ConcurrentHashMap::size);
  }

  @Override
  public Caller authenticate(Credentials credentials) {
    Optional<String> token = credentials.bearerToken();
    if (token.isEmpty() || maxTtl.isZero()) {
      return delegate.authenticate(credentials);
    }
    Key key = key(credentials);
    Instant now = clock.instant();
    while (true) {
      CompletableFuture<Verdict> known = entries.get(key);
      if (known != null) {
        if (!known.isDone()) {
          return await(known); // a check of the same token is under way: share it
        }
        if (!known.isCompletedExceptionally()) {
          Verdict v = known.join();
          if (now.isBefore(v.expiry())) {
            hits.increment();
            return v.caller();
          }
        }
        entries.remove(key, known);
      }
      CompletableFuture<Verdict> mine = new CompletableFuture<>();
      if (entries.putIfAbsent(key, mine) != null) {
        continue; // another thread started the check first
      }
      misses.increment();
      try {
        Caller caller = delegate.authenticate(credentials);
        mine.complete(new Verdict(caller, expiry(now, token.get())));
        trim(now);
        return caller;
      } catch (RuntimeException e) {
        entries.remove(key, mine);
        mine.completeExceptionally(e);
        throw e;
      }
    }
  }

  /** True when a positive verdict for this token is cached and still trusted. */
  @Override
  public boolean answersAtOnce(Credentials credentials) {
    Optional<String> token = credentials.bearerToken();
    if (token.isEmpty() || maxTtl.isZero()) {
      return delegate.answersAtOnce(credentials);
    }
    CompletableFuture<Verdict> known = entries.get(key(credentials));
    return known != null && known.isDone() && !known.isCompletedExceptionally()
        && clock.instant().isBefore(known.join().expiry());
  }

  private static Caller await(CompletableFuture<Verdict> check) {
    try {
      return check.join().caller();
    } catch (CompletionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      throw SignetException.internal("the token check failed", e.getCause());
    }
  }

  private Instant expiry(Instant now, String token) {
    Instant ceiling = now.plus(maxTtl);
    return JwtExpiry.of(token).filter(exp -> exp.isBefore(ceiling)).orElse(ceiling);
  }

  private void trim(Instant now) {
    if (entries.size() <= maxEntries) {
      return;
    }
    entries.values().removeIf(f -> f.isDone()
        && (f.isCompletedExceptionally() || !now.isBefore(f.join().expiry())));
    Iterator<Key> it = entries.keySet().iterator();
    while (entries.size() > maxEntries && it.hasNext()) {
      it.next();
      it.remove();
    }
  }

  /** The key of a token, computed once per request (the dispatch decision asks first). */
  private static Key key(Credentials credentials) {
    return (Key) credentials.cacheKey(
        () -> key(credentials.clusterId(), credentials.bearerToken().orElseThrow()));
  }

  private static Key key(String clusterId, String token) {
    MessageDigest sha = SHA256.get();
    sha.update(clusterId.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    ByteBuffer d = ByteBuffer.wrap(sha.digest(token.getBytes(StandardCharsets.US_ASCII)));
    return new Key(d.getLong(), d.getLong(), d.getLong(), d.getLong());
  }
}
