package dev.signet.server;

import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import dev.signet.dev.DevCa;
import dev.signet.dev.DevTokens;
import io.grpc.ManagedChannel;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContext;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;

/**
 * Compiles the request path before Signet reports ready ({@code server.warm-up.*}). A JVM
 * interprets code until it has run often enough to be compiled: a freshly started Signet spends
 * several times its steady CPU per certificate on its first tens of thousands of requests, just
 * when a rollout or a node-pool upgrade sends a restart storm. So, before the real listeners
 * open, Signet runs a throwaway copy of itself on a loopback port and asks it for certificates
 * as Istio's agents would: its own TLS client over new and reused connections, a distinct RS256
 * token per request, a CSR per identity. The copy runs the same classes on the same JVM (what
 * gets compiled is the code, whichever instance runs it), with a scratch CA and scratch token
 * keys made in a temporary directory, trusted by nothing, deleted afterwards. It never sees the
 * real CA, Vault or the API server, and its log lines, audit lines and metrics are its own and
 * dropped.
 */
final class WarmUp {
  private static final Logger LOG = Logger.getLogger(WarmUp.class.getName());
  /** Loggers whose INFO lines the throwaway copy would write (start, audit, TLS, stop). */
  private static final List<String> QUIETED = List.of("dev.signet", "signet.audit", "io.grpc",
      "io.netty");
  /**
   * One request in this many opens a new connection (a pod's agent does each time) and brings a
   * token never seen before (a new pod's). Not every one: the client's side of both (channel set-up,
   * an RS256 signature) costs several times the server's, and is not what is being warmed.
   */
  private static final int NEW_CONNECTION_EVERY = 8;
  private static final int NEW_TOKEN_EVERY = 8;
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(10);

  private WarmUp() {}

  /**
   * Issues up to {@code requests} throwaway certificates within {@code maxTime}; returns how many.
   * Never throws: a warm-up that cannot run leaves a slower start, not a failed one.
   */
  static int run(int requests, Duration maxTime, SignetConfig.ProviderChoice crypto) {
    if (requests <= 0) {
      return 0;
    }
    long started = System.nanoTime();
    List<Logger> quieted = new ArrayList<>();
    List<Level> levels = new ArrayList<>();
    for (String name : QUIETED) {
      Logger l = Logger.getLogger(name);
      quieted.add(l);
      levels.add(l.getLevel());
      l.setLevel(Level.WARNING);
    }
    Path dir = null;
    int issued = 0;
    try {
      dir = Files.createTempDirectory("signet-warm-up-");
      issued = issue(dir, requests, started + maxTime.toNanos(), crypto);
    } catch (IOException | RuntimeException e) {
      LOG.log(Level.WARNING, "warm-up stopped early; the first requests will be slower", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (int i = 0; i < quieted.size(); i++) {
        quieted.get(i).setLevel(levels.get(i));
      }
      delete(dir);
    }
    long ms = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started);
    int done = issued;
    LOG.info(() -> "warm-up: " + done + " throwaway certificates in " + ms
        + " ms before serving (server.warm-up.requests=" + requests + ")");
    return issued;
  }

  private static int issue(Path dir, int requests, long deadline,
      SignetConfig.ProviderChoice crypto) throws IOException, InterruptedException {
    DevCa.write(dir);
    DevTokens tokens = DevTokens.openRsa(dir);
    SignetConfig config = ConfigLoader.withDefaults()
        .set("server.address=127.0.0.1")
        .set("server.grpc-port=0")
        .set("server.admin-port=0")
        .set("server.dns-names=localhost")
        .set("server.warm-up.requests=0")
        .set("ca.source=files")
        .set("ca.files.directory=" + dir)
        .set("auth.kind=jwt")
        .set("auth.jwt.jwks-file=" + dir.resolve(DevTokens.JWKS_FILE))
        .set("auth.jwt.issuer=" + ConfigLoader.DEV_ISSUER)
        .set("kubernetes.trust-bundle.enabled=false")
        .set("kubernetes.istiod-cert.enabled=false")
        .set("crypto.provider=" + crypto.name().toLowerCase(Locale.ROOT))
        .load();
    SslContext tls = GrpcSslContexts.forClient()
        .trustManager(dir.resolve("root-cert.pem").toFile()).build();
    AtomicInteger next = new AtomicInteger();
    AtomicInteger issued = new AtomicInteger();
    int callers = Math.max(2, Runtime.getRuntime().availableProcessors());
    try (SignetServer copy = SignetServer.start(config)) {
      // Bounded: exactly `callers` tasks are submitted, one per thread; nothing queues.
      ExecutorService pool = Executors.newFixedThreadPool(callers);
      try {
        List<Future<?>> running = new ArrayList<>();
        for (int c = 0; c < callers; c++) {
          running.add(pool.submit(() -> {
            call(copy.grpcPort(), tls, tokens, requests, deadline, next, issued);
            return null;
          }));
        }
        for (Future<?> f : running) {
          try {
            f.get();
          } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException("a warm-up call failed: " + e.getCause(), e.getCause());
          }
        }
      } finally {
        pool.shutdownNow();
      }
    }
    return issued.get();
  }

  /** One caller: takes request numbers until there are none left or time is up. */
  private static void call(int port, SslContext tls, DevTokens tokens, int requests,
      long deadline, AtomicInteger next, AtomicInteger issued) {
    KeyPair keys = CsrBuilder.ecP256();
    ManagedChannel channel = null;
    String token = null;
    String csr = null;
    try {
      int n;
      while ((n = next.getAndIncrement()) < requests && System.nanoTime() < deadline) {
        if (channel == null || n % NEW_CONNECTION_EVERY == 0) {
          if (channel != null) {
            channel.shutdown();
          }
          channel = NettyChannelBuilder.forAddress("127.0.0.1", port)
              .overrideAuthority("localhost").sslContext(tls).build();
        }
        if (token == null || n % NEW_TOKEN_EVERY == 0) {
          String namespace = "warm-up-" + (n % 64);
          String account = "sa-" + n;
          csr = CsrBuilder.istioAgent(keys, "spiffe://cluster.local/ns/" + namespace + "/sa/"
              + account);
          token = tokens.issue(namespace, account, List.of("istio-ca"), Duration.ofMinutes(10));
        }
        IstioCertificateServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(CALL_DEADLINE.toMillis(), TimeUnit.MILLISECONDS)
            .withCallCredentials(SignetClient.bearer(token))
            .createCertificate(IstioCertificateRequest.newBuilder().setCsr(csr)
                .setValidityDuration(3600).build());
        issued.incrementAndGet();
      }
    } finally {
      if (channel != null) {
        channel.shutdown();
      }
    }
  }

  private static void delete(Path dir) {
    if (dir == null) {
      return;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      LOG.warning(() -> "cannot delete the warm-up directory " + dir + ": " + e.getMessage());
    }
  }
}
