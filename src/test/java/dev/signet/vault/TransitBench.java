package dev.signet.vault;

import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.testing.VaultServer;
import dev.signet.testing.VaultTestServer;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Measures vault-transit with and without batch coalescing: a real Vault (set up by
 * deploy/vault/setup.sh), a real Signet, gRPC clients over TLS on loopback. Prints certificates
 * per second and latency percentiles per configuration. Not a test: run it by hand (see
 * docs/benchmarks.md for the command); every loop is bounded in time.
 *
 * <p>Arguments: [seconds per run (default 20)] [concurrent callers (default 64)] [one-way
 * delay in microseconds between Signet and Vault (default 0): with a delay, Signet reaches
 * Vault through a {@link DelayProxy}, as it would a Vault on other nodes].
 */
public final class TransitBench {
  private TransitBench() {}

  public static void main(String[] args) throws Exception {
    int seconds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int callers = args.length > 1 ? Integer.parseInt(args[1]) : 64;
    long delayMicros = args.length > 2 ? Long.parseLong(args[2]) : 0;
    try (VaultTestServer vault = VaultTestServer.start();
        DelayProxy proxy = new DelayProxy(vault.address(), delayMicros)) {
      VaultSetup setup = VaultSetup.run(vault);
      System.out.printf("Signet -> Vault one-way delay: %d us%n", delayMicros);
      String[][] configs = {
          {"no batching (max-batch=1)", "ca.vault.transit.max-batch=1",
              "ca.vault.transit.batch-window=0s"},
          {"batching (max-batch=64, window 2ms)", "ca.vault.transit.max-batch=64",
              "ca.vault.transit.batch-window=2ms"},
      };
      for (String[] c : configs) {
        Path dir = Files.createTempDirectory("signet-bench-");
        String[] auth = setup.approle("transit", dir);
        if (delayMicros > 0) {
          auth[0] = "ca.vault.address=" + proxy.address();
        }
        String[] all = Arrays.copyOf(auth, auth.length + 4);
        all[auth.length + 3] = TransitCaTest.CHAIN;
        all[auth.length] = c[1];
        all[auth.length + 1] = c[2];
        all[auth.length + 2] = "server.worker-threads=" + Math.max(callers, 4);
        try (VaultSignet signet = VaultSignet.start(dir, "vault-transit", all);
            SignetClient client = signet.client()) {
          run(client, signet.token(), 2, callers); // warm-up: JIT, connections, TLS
          Result r = run(client, signet.token(), seconds, callers);
          double batch = signet.server.registry().get("signet_vault_transit_batch_size")
              .summary().mean();
          System.out.printf("%-38s %7.0f certs/s  p50 %6.1f ms  p99 %6.1f ms  failed %d  "
              + "mean batch %.1f%n", c[0], r.perSecond, r.p50, r.p99, r.failed, batch);
        }
      }
    }
  }

  private record Result(double perSecond, double p50, double p99, int failed) {}

  private static Result run(SignetClient client, String token, int seconds, int callers)
      throws InterruptedException {
    KeyPair keys = CsrBuilder.ecP256();
    String csr = CsrBuilder.istioAgent(keys, VaultSignet.ID);
    long end = System.nanoTime() + Duration.ofSeconds(seconds).toNanos();
    List<long[]> latencies = new ArrayList<>();
    AtomicInteger failed = new AtomicInteger();
    List<Thread> threads = new ArrayList<>();
    long start = System.nanoTime();
    for (int i = 0; i < callers; i++) {
      long[] mine = new long[200_000];
      latencies.add(mine);
      Thread t = new Thread(() -> {
        int n = 0;
        while (System.nanoTime() < end && n < mine.length - 1) {
          long t0 = System.nanoTime();
          try {
            client.createCertificate(csr, Duration.ofHours(1), token, Duration.ofSeconds(30));
            mine[++n] = System.nanoTime() - t0;
          } catch (StatusRuntimeException e) {
            failed.incrementAndGet();
          }
        }
        mine[0] = n;
      });
      threads.add(t);
      t.start();
    }
    for (Thread t : threads) {
      t.join();
    }
    double elapsed = (System.nanoTime() - start) / 1e9;
    int total = 0;
    for (long[] l : latencies) {
      total += (int) l[0];
    }
    long[] all = new long[total];
    int k = 0;
    for (long[] l : latencies) {
      System.arraycopy(l, 1, all, k, (int) l[0]);
      k += (int) l[0];
    }
    Arrays.sort(all);
    double p50 = all.length == 0 ? 0 : all[all.length / 2] / 1e6;
    double p99 = all.length == 0 ? 0 : all[Math.min(all.length - 1, all.length * 99 / 100)] / 1e6;
    return new Result(total / elapsed, p50, p99, failed.get());
  }
}
