package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.Expiry;
import com.github.benmanes.caffeine.cache.Ticker;
import dev.signet.error.SignetException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Remembers what a token authenticator said, so a busy workload's renewals do not each cost a
 * signature check or an API-server round trip, and a token that was refused does not cost one
 * again at once.
 *
 * <ul>
 *   <li>Keyed by SHA-256 of the cluster id and the token: the token itself is never stored.
 *   <li>A success is kept until the earlier of the token's own expiry ({@code exp}, read
 *       without trusting it for anything else) and {@code maxTtl}. A revoked token is therefore
 *       still accepted for at most {@code maxTtl} after its revocation.
 *   <li>A refusal (UNAUTHENTICATED, never UNAVAILABLE) is kept for {@code negativeTtl}: a token
 *       that becomes valid later (a JWKS rotation) is accepted at most that much later.
 *   <li>Concurrent calls with the same token share one check (single flight).
 *   <li>At most {@code maxEntries} successes and as many refusals are kept (Caffeine: eviction
 *       and expiry in constant time per entry).
 * </ul>
 */
public final class CachingAuthenticator implements Authenticator {
  private final Authenticator delegate;
  private final Duration maxTtl;
  private final Clock clock;
  private final Cache<TokenKey, Verdict> verdicts;
  private final Cache<TokenKey, String> refusals;
  private final ConcurrentHashMap<TokenKey, CompletableFuture<Caller>> inFlight =
      new ConcurrentHashMap<>();
  private final Counter hits;
  private final Counter refusedHits;
  private final Counter misses;

  /** A positive answer and when it stops being trusted. */
  private record Verdict(Caller caller, Instant expiry) {}

  /**
   * @param maxTtl how long a success is kept at most; zero turns the cache off
   * @param negativeTtl how long a refusal is kept; zero keeps none
   * @param tags what the meters say of the delegate, e.g. {@code cluster} and {@code method}
   */
  public CachingAuthenticator(Authenticator delegate, Duration maxTtl, Duration negativeTtl,
      int maxEntries, Clock clock, MeterRegistry registry, Tags tags) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.maxTtl = requireNonNull(maxTtl, "maxTtl");
    this.clock = requireNonNull(clock, "clock");
    Ticker ticker = () -> {
      Instant now = clock.instant();
      return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    };
    this.verdicts = Caffeine.newBuilder().maximumSize(maxEntries).ticker(ticker)
        .executor(Runnable::run).expireAfter(new UntilVerdictExpiry(clock)).build();
    this.refusals = Caffeine.newBuilder().maximumSize(negativeTtl.isZero() ? 0 : maxEntries)
        .ticker(ticker).executor(Runnable::run).expireAfterWrite(negativeTtl).build();
    this.hits = Counter.builder("signet.auth.cache.requests").tags(tags).tag("result", "hit")
        .description("Token checks answered from the cache").register(registry);
    this.refusedHits = Counter.builder("signet.auth.cache.requests").tags(tags)
        .tag("result", "refused").description("Token checks refused from the cache")
        .register(registry);
    this.misses = Counter.builder("signet.auth.cache.requests").tags(tags).tag("result", "miss")
        .description("Token checks that went to the authenticator").register(registry);
    Gauge.builder("signet.auth.cache.entries", verdicts, Cache::estimatedSize).tags(tags)
        .description("Verified tokens remembered").register(registry);
    Gauge.builder("signet.auth.cache.refusals", refusals, Cache::estimatedSize).tags(tags)
        .description("Refused tokens remembered").register(registry);
  }

  @Override
  public Caller authenticate(Credentials credentials) {
    Optional<Supplier<Caller>> pinned = credentials.pinned();
    if (pinned.isPresent()) {
      return pinned.get().get(); // decided at dispatch: never a second look-up
    }
    Optional<String> token = credentials.bearerToken();
    if (token.isEmpty() || maxTtl.isZero()) {
      return delegate.authenticate(credentials);
    }
    TokenKey key = credentials.tokenKey();
    Caller known = cached(key);
    if (known != null) {
      return known;
    }
    CompletableFuture<Caller> mine = new CompletableFuture<>();
    CompletableFuture<Caller> running = inFlight.putIfAbsent(key, mine);
    if (running != null) {
      return await(running); // a check of the same token is under way: share it
    }
    try {
      // It may have been answered between the look-up above and the claim.
      known = cached(key);
      if (known != null) {
        mine.complete(known);
        return known;
      }
      misses.increment();
      Instant now = clock.instant();
      Caller caller = delegate.authenticate(credentials);
      verdicts.put(key, new Verdict(caller, expiry(now, token.get())));
      mine.complete(caller);
      return caller;
    } catch (SignetException e) {
      if (e.kind() == SignetException.Kind.UNAUTHENTICATED) {
        refusals.put(key, e.getMessage());
      }
      mine.completeExceptionally(e);
      throw e;
    } catch (RuntimeException e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  /**
   * True when this token's answer is remembered (a trusted success or a recent refusal); that
   * answer is pinned in the credentials for {@link #authenticate}.
   */
  @Override
  public boolean answersAtOnce(Credentials credentials) {
    Optional<String> token = credentials.bearerToken();
    if (token.isEmpty() || maxTtl.isZero()) {
      return delegate.answersAtOnce(credentials);
    }
    TokenKey key = credentials.tokenKey();
    Verdict v = verdicts.getIfPresent(key);
    if (v != null) {
      Caller caller = v.caller();
      credentials.pin(() -> {
        hits.increment();
        return caller;
      });
      return true;
    }
    String refused = refusals.getIfPresent(key);
    if (refused != null) {
      credentials.pin(() -> {
        refusedHits.increment();
        throw SignetException.unauthenticated(refused);
      });
      return true;
    }
    return false;
  }

  /** The remembered answer: a caller, a thrown refusal, or null when nothing is known. */
  private Caller cached(TokenKey key) {
    Verdict v = verdicts.getIfPresent(key);
    if (v != null) {
      hits.increment();
      return v.caller();
    }
    String refused = refusals.getIfPresent(key);
    if (refused != null) {
      refusedHits.increment();
      throw SignetException.unauthenticated(refused);
    }
    return null;
  }

  private static Caller await(CompletableFuture<Caller> check) {
    try {
      return check.join();
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

  /** Each success lives until its own expiry. */
  private static final class UntilVerdictExpiry implements Expiry<TokenKey, Verdict> {
    private final Clock clock;

    UntilVerdictExpiry(Clock clock) {
      this.clock = clock;
    }

    @Override
    public long expireAfterCreate(TokenKey key, Verdict v, long currentTime) {
      return Math.max(0, Duration.between(clock.instant(), v.expiry()).toNanos());
    }

    @Override
    public long expireAfterUpdate(TokenKey key, Verdict v, long currentTime, long currentDuration) {
      return expireAfterCreate(key, v, currentTime);
    }

    @Override
    public long expireAfterRead(TokenKey key, Verdict v, long currentTime, long currentDuration) {
      return currentDuration;
    }
  }
}
