package dev.signet.vault;

import dev.signet.client.ChainVerifier;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import io.grpc.StatusRuntimeException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A bounded load on a real Signet: a few threads issue certificates until stopped or until
 * {@code maxRequests}; every certificate handed out is verified against the trusted roots (a
 * wrong key or chain counts as a {@link #wrong} certificate, never as a success).
 */
final class Load implements AutoCloseable {
  private static final Duration RUN_LIMIT = Duration.ofMinutes(3);
  private static final KeyPair KEYS = CsrBuilder.ecP256();

  final AtomicInteger ok = new AtomicInteger();
  final AtomicInteger wrong = new AtomicInteger();
  final Map<String, AtomicInteger> failures = new ConcurrentHashMap<>();
  final AtomicLong slowestFailureMillis = new AtomicLong();
  /** SHA-256 fingerprints of the signing certificates seen, in no order. */
  final Set<String> issuers = ConcurrentHashMap.newKeySet();
  final List<Throwable> errors = new CopyOnWriteArrayList<>();
  private final AtomicBoolean stop = new AtomicBoolean();
  private final List<Thread> threads = new CopyOnWriteArrayList<>();

  Load(SignetClient client, String token, List<X509Certificate> roots, int threadCount,
      int maxRequests) {
    String csr = CsrBuilder.istioAgent(KEYS, VaultSignet.ID);
    AtomicInteger budget = new AtomicInteger(maxRequests);
    long until = System.nanoTime() + RUN_LIMIT.toNanos();
    for (int i = 0; i < threadCount; i++) {
      Thread t = new Thread(() -> {
        while (!stop.get() && budget.decrementAndGet() >= 0 && System.nanoTime() < until) {
          long start = System.nanoTime();
          try {
            List<String> chain = client.createCertificate(csr, Duration.ofHours(1), token,
                Duration.ofSeconds(30));
            try {
              ChainVerifier.VerifiedChain v = ChainVerifier.verify(chain, KEYS.getPublic(),
                  VaultSignet.ID, roots);
              issuers.add(v.intermediates().isEmpty() ? "root"
                  : v.intermediates().get(0).getSubjectX500Principal() + "#"
                  + v.intermediates().get(0).getSerialNumber());
              ok.incrementAndGet();
            } catch (Exception e) {
              wrong.incrementAndGet();
              errors.add(e);
            }
          } catch (StatusRuntimeException e) {
            failures.computeIfAbsent(e.getStatus().getCode().name(), k -> new AtomicInteger())
                .incrementAndGet();
            slowestFailureMillis.accumulateAndGet((System.nanoTime() - start) / 1_000_000,
                Math::max);
          } catch (RuntimeException e) {
            errors.add(e);
          }
        }
      }, "load-" + i);
      t.setDaemon(true);
      threads.add(t);
      t.start();
    }
  }

  int failed() {
    return failures.values().stream().mapToInt(AtomicInteger::get).sum();
  }

  /** Stops the load and waits for the threads (idempotent). */
  void stop() {
    stop.set(true);
    try {
      for (Thread t : threads) {
        t.join(60_000);
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Override
  public void close() {
    stop();
  }

  @Override
  public String toString() {
    return "Load[ok=" + ok + ", wrong=" + wrong + ", failures=" + failures + ", errors="
        + errors.stream().limit(3).toList() + "]";
  }
}
