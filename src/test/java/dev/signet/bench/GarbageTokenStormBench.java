package dev.signet.bench;

import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.api.v1.IstioCertificateResponse;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.client.CsrBuilder;
import dev.signet.server.SignetServer;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.LoopbackSignet;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import io.grpc.stub.StreamObserver;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Issue 12, item 3, measured: a legitimate workload's latency for a certificate with a fresh
 * token (its first check is a TokenReview) against a real Signet in TokenReview mode on a real
 * kube-apiserver, first alone, then while an attacker on 127.0.0.2 keeps {@code --storm}
 * forged tokens (right shape, audience and expiry, random signature; each different) in flight.
 *
 * <pre>
 * export SIGNET_ETCD=$(bash .ci/tools/etcd.sh) SIGNET_KUBE_APISERVER=$(bash .ci/tools/kube-apiserver.sh)
 * ./mvnw -B -q -DskipTests package dependency:build-classpath -Dmdep.includeScope=test \
 *     -Dmdep.outputFile=target/bench-classpath.txt
 * java -cp target/test-classes:target/classes:$(cat target/bench-classpath.txt) \
 *     dev.signet.bench.GarbageTokenStormBench [--storm 40] [--requests 200]
 * </pre>
 */
public final class GarbageTokenStormBench {
  private static final SecureRandom RANDOM = new SecureRandom();

  private GarbageTokenStormBench() {}

  public static void main(String[] args) throws Exception {
    int storm = intArg(args, "--storm", 40);
    int requests = intArg(args, "--requests", 200);
    Path dir = Files.createTempDirectory("signet-storm-bench");
    try (KubeTestCluster kube = new KubeTestCluster().start()) {
      Path kubeconfig = signetKubeconfig(kube);
      kube.createServiceAccount("shop", "cart");
      List<String> tokens = new ArrayList<>();
      for (int i = 0; i < 2 * requests + 20; i++) {
        tokens.add(kube.token("shop", "cart"));
      }
      try (SignetServer signet = SignetServer.start(LoopbackSignet.config(dir,
          "auth.kind=tokenreview", "kubernetes.kubeconfig=" + kubeconfig))) {
        ManagedChannel workload = channel(signet, dir, "127.0.0.1");
        ManagedChannel attacker = channel(signet, dir, "127.0.0.2");
        // Warm-up: TLS, class loading, JIT of the request path.
        for (int i = 0; i < 20; i++) {
          call(workload, tokens.remove(tokens.size() - 1));
        }
        long[] alone = measure(workload, tokens, requests);
        Attack attack = new Attack(attacker, storm);
        double reviewsBefore = reviews(signet);
        attack.start();
        long[] underStorm = measure(workload, tokens, requests);
        attack.stop();
        double reviews = reviews(signet) - reviewsBefore - requests;
        System.out.printf("machine: %d cores, %s %s%n",
            Runtime.getRuntime().availableProcessors(), System.getProperty("java.vm.name"),
            System.getProperty("java.version"));
        System.out.printf("legitimate caller, fresh token each (TokenReview), %d requests%n",
            requests);
        System.out.println("  alone:        " + summary(alone));
        System.out.println("  under storm:  " + summary(underStorm));
        System.out.printf("attacker: %d forged tokens in flight from 127.0.0.2, %d answered %s,"
            + " %.0f TokenReviews for them%n", storm, attack.answered.get(), attack.codes,
            reviews);
        attack.close();
        workload.shutdownNow();
      }
    }
  }

  /** Keeps {@code inFlight} forged-token calls outstanding until stopped. */
  private static final class Attack implements AutoCloseable {
    final ManagedChannel channel;
    final Semaphore slots;
    final AtomicBoolean running = new AtomicBoolean(true);
    final AtomicLong answered = new AtomicLong();
    final Map<Status.Code, AtomicLong> codes = new ConcurrentHashMap<>();
    Thread driver;

    Attack(ManagedChannel channel, int inFlight) {
      this.channel = channel;
      this.slots = new Semaphore(inFlight);
    }

    void start() {
      driver = new Thread(() -> {
        while (running.get()) {
          try {
            slots.acquire();
          } catch (InterruptedException e) {
            return;
          }
          stub(channel, forged()).createCertificate(request(),
              new StreamObserver<IstioCertificateResponse>() {
                @Override
                public void onNext(IstioCertificateResponse value) {}

                @Override
                public void onError(Throwable t) {
                  done(Status.fromThrowable(t).getCode());
                }

                @Override
                public void onCompleted() {
                  done(Status.Code.OK);
                }
              });
        }
      }, "storm");
      driver.setDaemon(true);
      driver.start();
    }

    void done(Status.Code code) {
      answered.incrementAndGet();
      codes.computeIfAbsent(code, c -> new AtomicLong()).incrementAndGet();
      slots.release();
    }

    void stop() throws InterruptedException {
      running.set(false);
      driver.interrupt();
      driver.join();
    }

    @Override
    public void close() {
      channel.shutdownNow();
    }
  }

  private static long[] measure(ManagedChannel channel, List<String> tokens, int n) {
    long[] latencies = new long[n];
    for (int i = 0; i < n; i++) {
      String token = tokens.remove(tokens.size() - 1);
      long start = System.nanoTime();
      call(channel, token);
      latencies[i] = System.nanoTime() - start;
    }
    return latencies;
  }

  private static void call(ManagedChannel channel, String token) {
    IstioCertificateServiceGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
        .withDeadlineAfter(60, TimeUnit.SECONDS).createCertificate(request());
  }

  private static String summary(long[] latencies) {
    long[] s = latencies.clone();
    Arrays.sort(s);
    return String.format("p50 %.1f ms  p99 %.1f ms  max %.1f ms", q(s, 0.5), q(s, 0.99),
        s[s.length - 1] / 1e6);
  }

  private static double q(long[] sorted, double q) {
    int i = (int) Math.ceil(q * sorted.length) - 1;
    return sorted[Math.max(0, Math.min(i, sorted.length - 1))] / 1e6;
  }

  private static IstioCertificateServiceGrpc.IstioCertificateServiceStub stub(
      ManagedChannel channel, String token) {
    return IstioCertificateServiceGrpc.newStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(bearer(token)))
        .withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static Metadata bearer(String token) {
    Metadata m = new Metadata();
    m.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token);
    return m;
  }

  private static final String CSR = CsrBuilder.istioAgent(CsrBuilder.ecP256(),
      "spiffe://cluster.local/ns/shop/sa/cart");

  private static IstioCertificateRequest request() {
    return IstioCertificateRequest.newBuilder().setCsr(CSR).setValidityDuration(3600).build();
  }

  /** Right shape, audience, issuer and expiry; a random signature; different every time. */
  private static String forged() {
    byte[] sig = new byte[256];
    RANDOM.nextBytes(sig);
    return b64("{\"alg\":\"RS256\",\"kid\":\"" + UUID.randomUUID() + "\"}")
        + "." + b64("{\"iss\":\"https://kubernetes.default.svc\",\"sub\":"
            + "\"system:serviceaccount:shop:cart\",\"aud\":[\"istio-ca\"],\"exp\":"
            + Instant.now().plusSeconds(3600).getEpochSecond() + ",\"jti\":\""
            + UUID.randomUUID() + "\"}")
        + "." + Base64.getUrlEncoder().withoutPadding().encodeToString(sig);
  }

  private static String b64(String s) {
    return Base64.getUrlEncoder().withoutPadding()
        .encodeToString(s.getBytes(StandardCharsets.UTF_8));
  }

  private static ManagedChannel channel(SignetServer signet, Path dir, String from)
      throws Exception {
    return NettyChannelBuilder.forAddress(new InetSocketAddress("127.0.0.1", signet.grpcPort()))
        .overrideAuthority("localhost")
        .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
          @Override
          public InetSocketAddress createSocketAddress(java.net.SocketAddress remote,
              io.grpc.Attributes attrs) {
            return new InetSocketAddress(from, 0);
          }
        })
        .sslContext(GrpcSslContexts.forClient().trustManager(dir.resolve("root-cert.pem")
            .toFile()).build())
        .build();
  }

  private static double reviews(SignetServer signet) {
    var timer = signet.registry().find("signet.tokenreview.duration").timer();
    return timer == null ? 0 : timer.count();
  }

  private static Path signetKubeconfig(KubeTestCluster cluster) throws Exception {
    cluster.createNamespace("signet-system");
    cluster.createNamespace("istio-system");
    try (InputStream in = Files.newInputStream(Path.of("deploy", "kubernetes", "rbac.yaml"))) {
      for (HasMetadata item : cluster.admin().load(in).items()) {
        cluster.admin().resource(item).serverSideApply();
      }
    }
    return cluster.kubeconfig("signet", cluster.token("signet-system", "signet",
        "https://kubernetes.default.svc", Optional.empty(), Duration.ofHours(1)));
  }

  private static int intArg(String[] args, String name, int fallback) {
    for (int i = 0; i + 1 < args.length; i++) {
      if (args[i].equals(name)) {
        return Integer.parseInt(args[i + 1]);
      }
    }
    return fallback;
  }
}
