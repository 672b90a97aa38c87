package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.signet.concurrent.DaemonThreads;
import dev.signet.config.SignetConfig.AuthPool;
import dev.signet.config.SignetConfig.PeerLimits;
import dev.signet.error.SignetException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.SynchronousQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;

/**
 * Admission for first token checks (a TokenReview, a JWKS download, a signature check): the work
 * an unauthenticated client can make Signet do. They run on their own bounded pool, apart from
 * the signing workers, and every refusal here is immediate (OVERLOADED, no queueing, no API
 * call):
 *
 * <ul>
 *   <li>the pool has {@code threads} threads and a queue of {@code queue}; beyond that, refused;
 *   <li>one peer (an IPv4 address, or an IPv6 /64) may have at most {@code maxPending}
 *       different tokens in check at once (requests with the same token share one check and
 *       one slot);
 *   <li>a peer whose checks failed (UNAUTHENTICATED) {@code failureBurst} times, beyond what
 *       it earns back ({@code failureBurst} per {@code coolDown}), gets no check for
 *       {@code coolDown}.
 * </ul>
 *
 * <p>Peers are held in a bounded cache (at most {@value #MAX_PEERS}, least recently seen
 * evicted), so many addresses cannot grow the heap; the pool bound holds regardless.
 */
public final class AuthGate implements AutoCloseable {
  static final int MAX_PEERS = 100_000;
  private static final TokenKey NO_TOKEN = new TokenKey(0, 0, 0, 0);

  private final ThreadPoolExecutor pool;
  private final PeerLimits limits;
  private final LongSupplier nanos;
  private final Cache<String, Peer> peers;
  private final Counter poolFull;
  private final Counter peerBusy;
  private final Counter peerCooling;

  public AuthGate(AuthPool pool, PeerLimits limits, MeterRegistry registry) {
    this(pool, limits, registry, System::nanoTime);
  }

  AuthGate(AuthPool pool, PeerLimits limits, MeterRegistry registry, LongSupplier nanos) {
    this.limits = requireNonNull(limits, "limits");
    this.nanos = requireNonNull(nanos, "nanos");
    BlockingQueue<Runnable> queue = pool.queue() == 0 ? new SynchronousQueue<>()
        : new ArrayBlockingQueue<>(pool.queue());
    this.pool = new ThreadPoolExecutor(pool.threads(), pool.threads(), 60, TimeUnit.SECONDS,
        queue, DaemonThreads.named("signet-auth"), new ThreadPoolExecutor.AbortPolicy());
    this.pool.allowCoreThreadTimeOut(true);
    Duration idle = limits.coolDown().multipliedBy(2);
    this.peers = Caffeine.newBuilder().maximumSize(MAX_PEERS)
        .expireAfterAccess(idle.compareTo(Duration.ofMinutes(1)) < 0 ? Duration.ofMinutes(1) : idle)
        .build();
    this.poolFull = refused(registry, "pool_full");
    this.peerBusy = refused(registry, "peer_pending");
    this.peerCooling = refused(registry, "peer_failures");
    Gauge.builder("signet.auth.pool.queued", this.pool, p -> p.getQueue().size())
        .description("First token checks waiting for an authentication thread")
        .register(registry);
    Gauge.builder("signet.auth.pool.active", this.pool, ThreadPoolExecutor::getActiveCount)
        .description("First token checks running").register(registry);
  }

  private static Counter refused(MeterRegistry registry, String reason) {
    return Counter.builder("signet.auth.refused").tag("reason", reason)
        .description("First token checks refused at once by the authentication limits")
        .register(registry);
  }

  /**
   * Runs {@code check}, the first check of the token in {@code credentials}, on the
   * authentication pool.
   *
   * @throws SignetException OVERLOADED at once when a limit is reached
   */
  public void execute(Credentials credentials, Runnable check) {
    Peer peer = peers.get(credentials.peer(), p -> new Peer());
    TokenKey token = credentials.bearerToken().isPresent() ? credentials.tokenKey() : NO_TOKEN;
    long now = nanos.getAsLong();
    if (peer.cooling(now)) {
      peerCooling.increment();
      throw SignetException.overloaded("too many failed authentications from this address; "
          + "retry later with a valid token");
    }
    if (!peer.claim(token, limits.maxPending())) {
      peerBusy.increment();
      throw SignetException.overloaded("too many token checks in flight from this address; "
          + "retry with backoff");
    }
    try {
      pool.execute(() -> {
        try {
          check.run();
        } finally {
          peer.release(token);
        }
      });
    } catch (RejectedExecutionException e) {
      peer.release(token);
      poolFull.increment();
      throw SignetException.overloaded("Signet is at its limit of token checks in flight; "
          + "retry with backoff");
    }
  }

  /** Counts a first token check of {@code credentials}' peer that ended UNAUTHENTICATED. */
  public void failed(Credentials credentials) {
    peers.get(credentials.peer(), p -> new Peer()).failed(nanos.getAsLong(), limits);
  }

  @Override
  public void close() {
    pool.shutdownNow();
  }

  /** One peer: the tokens it has in check, and its failure budget (a token bucket). */
  private static final class Peer {
    private final Map<TokenKey, Integer> pending = new HashMap<>();
    private double budget = Double.NaN;
    private long refilledAt;
    private long coolingUntil;
    private boolean cooling;

    synchronized boolean cooling(long now) {
      if (cooling && now - coolingUntil < 0) {
        return true;
      }
      cooling = false;
      return false;
    }

    synchronized boolean claim(TokenKey token, int max) {
      Integer n = pending.get(token);
      if (n == null && pending.size() >= max) {
        return false;
      }
      pending.put(token, n == null ? 1 : n + 1);
      return true;
    }

    synchronized void release(TokenKey token) {
      pending.computeIfPresent(token, (k, n) -> n == 1 ? null : n - 1);
    }

    synchronized void failed(long now, PeerLimits limits) {
      int burst = limits.failureBurst();
      long period = limits.coolDown().toNanos();
      if (Double.isNaN(budget)) {
        budget = burst;
      } else {
        budget = Math.min(burst, budget + (double) (now - refilledAt) * burst / period);
      }
      refilledAt = now;
      budget -= 1;
      if (budget <= 0) {
        budget = 0;
        cooling = true;
        coolingUntil = now + period;
      }
    }
  }
}
