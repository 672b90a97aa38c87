package dev.signet.bench;

import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.api.v1.IstioCertificateResponse;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.api.v1.IstioCertificateServiceGrpc.IstioCertificateServiceStub;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.dev.DevTokens;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * Drives a running Signet the way a mesh restart does: {@code --connections} TLS gRPC
 * connections, {@code --identities} workloads each with its own dev token and pre-generated
 * Istio-shaped CSR, sent flat out (at most {@code --concurrency} in flight) or at a fixed
 * {@code --rate}. Latency in fixed-rate mode counts from the moment a request was due, so a
 * stalled server cannot hide its queue (no coordinated omission). Server CPU per certificate
 * comes from the server's own {@code /metrics}, so it holds whatever else the machine runs.
 *
 * <p>Run through {@code src/bench/load.sh}; see {@code docs/benchmarks.md}.
 */
public final class LoadGenerator {
  private final LoadOptions options;
  private final List<ManagedChannel> channels = new ArrayList<>();
  /** Per identity, one stub per connection carrying that identity's token. */
  private final List<IstioCertificateServiceStub[]> stubs = new ArrayList<>();
  private final List<IstioCertificateRequest> requests = new ArrayList<>();
  private final List<String> tokens = new ArrayList<>();
  private final io.netty.handler.ssl.SslContext tls;
  /** Certificates received, for servers measured through /proc (they report no count). */
  private final LongAdder received = new LongAdder();
  private static final int KEY_POOL = 64;
  /** The identity the next request uses: runs continue where the last one stopped, so a
   * measured run after a warm-up uses identities (and tokens) the warm-up has not sent when
   * there are enough of them. */
  private int nextIdentity;

  private LoadGenerator(LoadOptions options) throws Exception {
    this.options = options;
    tls = GrpcSslContexts.forClient()
        .trustManager(options.devDir().resolve("root-cert.pem").toFile()).build();
    for (int c = 0; c < options.connections(); c++) {
      channels.add(channel());
    }
    List<String> given = options.tokensFile() == null ? List.of()
        : java.nio.file.Files.readAllLines(options.tokensFile()).stream()
            .filter(line -> !line.isBlank()).toList();
    int identities = given.isEmpty() ? options.identities() : given.size();
    DevTokens issuer = !given.isEmpty() ? null
        : options.rsaTokens() ? DevTokens.openRsa(options.devDir())
        : DevTokens.open(options.devDir());
    // Key pairs are shared by identities (RSA key generation would dominate a 10,000-identity
    // set-up); each identity still has its own CSR, signed by its key.
    List<java.security.KeyPair> keys = new ArrayList<>();
    for (int k = 0; k < Math.min(identities, KEY_POOL); k++) {
      keys.add(options.rsa() ? CsrBuilder.rsa2048() : CsrBuilder.ecP256());
    }
    for (int i = 0; i < identities; i++) {
      String sa = "load-" + i;
      String uri = "spiffe://" + options.trustDomain() + "/ns/" + options.namespace() + "/sa/" + sa;
      requests.add(IstioCertificateRequest.newBuilder()
          .setCsr(CsrBuilder.istioAgent(keys.get(i % keys.size()), uri))
          .setValidityDuration(86400).build());
      String token = issuer == null ? given.get(i).trim()
          : issuer.issue(options.namespace(), sa, List.of("istio-ca"), Duration.ofHours(2));
      tokens.add(token);
      IstioCertificateServiceStub[] perConnection =
          new IstioCertificateServiceStub[channels.size()];
      for (int c = 0; c < perConnection.length; c++) {
        perConnection[c] = IstioCertificateServiceGrpc.newStub(channels.get(c))
            .withCallCredentials(SignetClient.bearer(token));
      }
      stubs.add(perConnection);
    }
  }

  public static void main(String[] args) throws Exception {
    LoadOptions options = LoadOptions.parse(args);
    LoadGenerator load = new LoadGenerator(options);
    try {
      if (options.startSignal() != null) {
        load.firstCertificate();
        return;
      }
      if (options.warmup() > 0) {
        load.run(options.warmup(), 0);
      }
      if (options.holdAfterWarmup() != null) {
        awaitFile("warmed", options.holdAfterWarmup());
      }
      long errors = options.window() > 0 ? load.windows() : load.measured(options.requests());
      if (errors > 0 && options.failOnError()) {
        System.exit(1);
      }
    } finally {
      load.close();
    }
  }

  /** One measured run of {@code count} requests, summarised; returns its errors. */
  private long measured(int count) throws Exception {
    ServerMetrics before = server();
    LoadReport report = run(count, options.rate());
    ServerMetrics after = server();
    System.out.println(report.summary(options, before, after));
    return report.errors();
  }

  /**
   * The whole run in windows of {@code --window} requests, one line each (server CPU per
   * certificate, p50 and p99), then the summary of all of it: a cold server's warm-up curve.
   */
  private long windows() throws Exception {
    int window = options.window();
    long[] all = new long[options.requests()];
    long errors = 0;
    long start = System.nanoTime();
    ServerMetrics first = server();
    ServerMetrics before = first;
    for (int done = 0; done < all.length; done += window) {
      int n = Math.min(window, all.length - done);
      LoadReport part = run(n, options.rate());
      ServerMetrics after = server();
      System.arraycopy(part.latencies(), 0, all, done, n);
      errors += part.errors();
      System.out.printf("  requests %d-%d: %s%n", done + 1, done + n,
          part.brief(before, after));
      before = after;
    }
    LoadReport total = new LoadReport(all, System.nanoTime() - start, errors, Map.of());
    System.out.println(total.summary(options, first, before));
    return errors;
  }

  private ServerMetrics server() throws Exception {
    long pid = options.serverPid() > 0 || options.serverPidFile() == null ? options.serverPid()
        : Long.parseLong(java.nio.file.Files.readString(options.serverPidFile()).trim());
    return pid > 0
        ? ServerMetrics.ofProcess(pid, received.sum())
        : ServerMetrics.scrape(options.metricsUrl());
  }

  /**
   * Says {@code state} on stdout, then waits (up to ten minutes: a server may warm up before it
   * is ready) for {@code signal} to exist: the benchmark script's cue, e.g. that the server was
   * launched or the profiler started.
   */
  private static void awaitFile(String state, java.nio.file.Path signal) {
    System.out.println(state);
    System.out.flush();
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(10);
    while (!java.nio.file.Files.exists(signal) && System.nanoTime() < deadline) {
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
    }
  }

  /**
   * Start-up to first certificate: prepared and warm, waits for the file that says when the
   * server was launched (epoch milliseconds), then polls until a certificate is issued.
   */
  private void firstCertificate() throws Exception {
    awaitFile("prepared", options.startSignal());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    long launched = Long.parseLong(java.nio.file.Files.readString(options.startSignal()).trim());
    while (System.nanoTime() < deadline) {
      CountDownLatch done = new CountDownLatch(1);
      boolean[] ok = new boolean[1];
      send(0, new StreamObserver<>() {
        @Override
        public void onNext(IstioCertificateResponse r) {
          ok[0] = r.getCertChainCount() >= 2;
        }

        @Override
        public void onError(Throwable t) {
          done.countDown();
        }

        @Override
        public void onCompleted() {
          done.countDown();
        }
      });
      done.await();
      if (ok[0]) {
        System.out.println("first certificate " + (System.currentTimeMillis() - launched)
            + " ms after the server process was launched");
        return;
      }
      LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(5));
    }
    throw new IllegalStateException("no certificate within 60 s");
  }

  /** Sends {@code count} requests, flat out when {@code rate} is 0; blocks until all answer. */
  private LoadReport run(int count, double rate) throws InterruptedException {
    long[] latencies = new long[count];
    LongAdder errors = new LongAdder();
    Map<Status.Code, LongAdder> byCode = new ConcurrentHashMap<>();
    Semaphore window = new Semaphore(options.concurrency());
    CountDownLatch done = new CountDownLatch(count);
    long start = System.nanoTime();
    double interval = rate > 0 ? 1e9 / rate : 0;
    for (int i = 0; i < count; i++) {
      long due = start + (long) (i * interval);
      if (rate > 0) {
        long wait = due - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
      } else {
        window.acquire();
      }
      long begin = rate > 0 ? due : System.nanoTime();
      int n = i;
      send(nextIdentity++, new StreamObserver<>() {
        @Override
        public void onNext(IstioCertificateResponse r) {}

        @Override
        public void onError(Throwable t) {
          errors.increment();
          byCode.computeIfAbsent(Status.fromThrowable(t).getCode(), c -> new LongAdder())
              .increment();
          finish();
        }

        @Override
        public void onCompleted() {
          received.increment();
          finish();
        }

        private void finish() {
          latencies[n] = System.nanoTime() - begin;
          if (rate <= 0) {
            window.release();
          }
          done.countDown();
        }
      });
    }
    done.await();
    long elapsed = System.nanoTime() - start;
    return new LoadReport(latencies, elapsed, errors.sum(), Map.copyOf(byCode));
  }

  private ManagedChannel channel() {
    // Callbacks only record a time: run them on the event loop, not a growing thread pool that
    // would compete with the server for the same two cores.
    return NettyChannelBuilder.forAddress(options.host(), options.port()).sslContext(tls)
        .directExecutor().build();
  }

  private void send(int i, StreamObserver<IstioCertificateResponse> observer) {
    int identity = Math.floorMod(i, requests.size());
    if (options.freshConnections()) {
      // As in a restart storm: every pod dials, handshakes and asks once.
      ManagedChannel ch = channel();
      IstioCertificateServiceGrpc.newStub(ch)
          .withCallCredentials(SignetClient.bearer(tokens.get(identity)))
          .withDeadlineAfter(30, TimeUnit.SECONDS)
          .createCertificate(requests.get(identity), new StreamObserver<>() {
            @Override
            public void onNext(IstioCertificateResponse r) {
              observer.onNext(r);
            }

            @Override
            public void onError(Throwable t) {
              ch.shutdownNow();
              observer.onError(t);
            }

            @Override
            public void onCompleted() {
              ch.shutdownNow();
              observer.onCompleted();
            }
          });
      return;
    }
    IstioCertificateServiceStub[] perConnection = stubs.get(identity);
    perConnection[(i / requests.size()) % perConnection.length]
        .withDeadlineAfter(30, TimeUnit.SECONDS)
        .createCertificate(requests.get(identity), observer);
  }

  private void close() throws InterruptedException {
    for (ManagedChannel ch : channels) {
      ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }
}
