package dev.signet.kube;

import dev.signet.error.SignetException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;

/**
 * Runs at most one call per key at a time: callers that arrive while it runs wait for its
 * result (or its failure) instead of starting their own. Nothing is remembered afterwards.
 */
final class SingleFlight<V> {
  private final ConcurrentHashMap<String, CompletableFuture<V>> inFlight =
      new ConcurrentHashMap<>();

  /**
   * The result of {@code call} for {@code key}, shared with concurrent callers of the same key.
   *
   * @param wait how long a follower waits for the leader's result
   */
  V run(String key, Supplier<V> call, long waitMillis) {
    CompletableFuture<V> mine = new CompletableFuture<>();
    CompletableFuture<V> leader = inFlight.putIfAbsent(key, mine);
    if (leader != null) {
      return await(leader, waitMillis);
    }
    try {
      V v = call.get();
      mine.complete(v);
      return v;
    } catch (RuntimeException | Error e) {
      mine.completeExceptionally(e);
      throw e;
    } finally {
      inFlight.remove(key, mine);
    }
  }

  /** Calls in flight now, for tests and metrics. */
  int inFlight() {
    return inFlight.size();
  }

  private V await(CompletableFuture<V> leader, long waitMillis) {
    try {
      return leader.get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof RuntimeException r) {
        throw r;
      }
      if (e.getCause() instanceof Error err) {
        throw err;
      }
      throw SignetException.internal("a shared review failed", e.getCause());
    } catch (TimeoutException e) {
      throw SignetException.unavailable("the API server did not answer a TokenReview in time; "
          + "retry", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SignetException.unavailable("interrupted while waiting for a TokenReview", e);
    }
  }
}
