package dev.signet.kube;

import dev.signet.auth.Caller;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Positive TokenReview results, keyed by the SHA-256 of the token (never the token). An entry
 * lives until the earlier of its token's {@code exp} and the configured ceiling; expired entries
 * are never returned. Size is bounded: a put over the limit first drops expired entries, then
 * arbitrary ones. Lock-free; a lookup allocates nothing.
 */
final class ReviewCache {
  private record Entry(Caller caller, long expiresAtNanos) {}

  private final ConcurrentHashMap<String, Entry> entries = new ConcurrentHashMap<>();
  private final int maxSize;

  ReviewCache(int maxSize) {
    this.maxSize = maxSize;
  }

  /** The cached caller for {@code key}, or null when absent or expired at {@code nowNanos}. */
  Caller get(String key, long nowNanos) {
    Entry e = entries.get(key);
    if (e == null) {
      return null;
    }
    if (nowNanos - e.expiresAtNanos >= 0) {
      entries.remove(key, e);
      return null;
    }
    return e.caller;
  }

  /** Caches {@code caller} until {@code expiresAtNanos} (System.nanoTime scale). */
  void put(String key, Caller caller, long nowNanos, long expiresAtNanos) {
    if (expiresAtNanos - nowNanos <= 0) {
      return;
    }
    if (entries.size() >= maxSize) {
      evict(nowNanos);
    }
    entries.put(key, new Entry(caller, expiresAtNanos));
  }

  int size() {
    return entries.size();
  }

  private void evict(long nowNanos) {
    entries.values().removeIf(e -> nowNanos - e.expiresAtNanos >= 0);
    // Still full: drop about a tenth, whichever the map yields first.
    int excess = entries.size() - maxSize + Math.max(1, maxSize / 10);
    Iterator<Map.Entry<String, Entry>> it = entries.entrySet().iterator();
    while (excess-- > 0 && it.hasNext()) {
      it.next();
      it.remove();
    }
  }
}
