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

  private LoadGenerator(LoadOptions options) throws Exception {
    this.options = options;
    DevTokens issuer = DevTokens.open(options.devDir());
    tls = GrpcSslContexts.forClient()
        .trustManager(options.devDir().resolve("root-cert.pem").toFile()).build();
    for (int c = 0; c < options.connections(); c++) {
      channels.add(channel());
    }
    for (int i = 0; i < options.identities(); i++) {
      String sa = "load-" + i;
      String uri = "spiffe://" + options.trustDomain() + "/ns/bench/sa/" + sa;
      requests.add(IstioCertificateRequest.newBuilder()
          .setCsr(CsrBuilder.istioAgent(options.rsa() ? CsrBuilder.rsa2048()
              : CsrBuilder.ecP256(), uri))
          .setValidityDuration(86400).build());
      String token = issuer.issue("bench", sa, List.of("istio-ca"), Duration.ofHours(2));
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
      ServerMetrics before = ServerMetrics.scrape(options.metricsUrl());
      LoadReport report = load.run(options.requests(), options.rate());
      ServerMetrics after = ServerMetrics.scrape(options.metricsUrl());
      System.out.println(report.summary(options, before, after));
      if (report.errors() > 0 && options.failOnError()) {
        System.exit(1);
      }
    } finally {
      load.close();
    }
  }

  /**
   * Says {@code state} on stdout, then waits (up to a minute) for {@code signal} to exist: the
   * benchmark script's cue, e.g. that the server was launched or the profiler started.
   */
  private static void awaitFile(String state, java.nio.file.Path signal) {
    System.out.println(state);
    System.out.flush();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
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
      send(i, new StreamObserver<>() {
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
    int identity = i % requests.size();
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
