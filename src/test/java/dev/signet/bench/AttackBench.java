package dev.signet.bench;

import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.dev.DevTokens;
import dev.signet.testing.RawHttp2Client;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One attack from docs/security.md against a running Signet (loopback only), while a legitimate
 * workload asks for a certificate at a fixed rate on its own connection and a prober reads
 * {@code /readyz}: prints the legitimate caller's and the prober's latency percentiles and
 * errors under the attack, and what the attacker managed to send. Run by
 * {@code src/bench/attacks.sh}, which also checks that the process survived and its RSS.
 *
 * <p>Attackers connect from 127.0.0.2 and up, the legitimate caller from 127.0.0.1.
 */
public final class AttackBench {
  private static final String METHOD = "/istio.v1.auth.IstioCertificateService/CreateCertificate";
  private static final Duration CALL_DEADLINE = Duration.ofSeconds(5);

  private final int grpcPort;
  private final int adminPort;
  private final Path devDir;
  private final AtomicLong sent = new AtomicLong();
  private volatile boolean attacking = true;
  /** Counted down when the measured window ends. */
  private final java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);

  private AttackBench(int grpcPort, int adminPort, Path devDir) {
    this.grpcPort = grpcPort;
    this.adminPort = adminPort;
    this.devDir = devDir;
  }

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new HashMap<>();
    for (int i = 0; i + 1 < args.length; i += 2) {
      o.put(args[i].replaceFirst("^--", ""), args[i + 1]);
    }
    AttackBench bench = new AttackBench(Integer.parseInt(o.get("grpc-port")),
        Integer.parseInt(o.get("admin-port")), Path.of(o.get("dev-dir")));
    Duration length = Duration.ofSeconds(Long.parseLong(o.getOrDefault("seconds", "20")));
    if ("attacker".equals(o.get("role"))) {
      bench.attackFor(o.get("attack"), length);
    } else {
      bench.run(args, o.get("attack"), length, Integer.parseInt(o.getOrDefault("rate", "50")));
    }
  }

  private Runnable attacker(String attack) {
    return switch (attack) {
      case "none" -> () -> {};
      case "streams" -> () -> streams(20);
      case "resets" -> () -> resets(4);
      case "idle" -> () -> idle(2000);
      case "handshake-stall" -> () -> stalls(2000);
      case "admin-slow" -> this::adminSlow;
      case "oversized" -> () -> oversized(4);
      case "garbage-tokens" -> () -> garbageTokens(40);
      default -> throw new IllegalArgumentException("unknown attack " + attack);
    };
  }

  /**
   * The attacker's process: attacks for the given time, then prints what it sent. It runs apart
   * from the measuring caller, at the lowest CPU priority, so that on a machine with few cores the
   * attacker's own work (on a real network: another machine's) does not delay the caller's
   * client side and count against Signet.
   */
  private void attackFor(String attack, Duration length) throws InterruptedException {
    Thread attackThread = new Thread(attacker(attack), "attacker");
    attackThread.setDaemon(true);
    attackThread.start();
    System.out.println("attacking");
    System.out.flush();
    Thread.sleep(length.toMillis()); // the attack's length, not a synchronisation
    attacking = false;
    done.countDown();
    System.out.println("sent " + sent.get());
  }

  /** Starts this class as the attacker's process, niced, and waits until it attacks. */
  private static Process startAttacker(String[] args) throws IOException {
    List<String> command = new ArrayList<>(List.of("chrt", "--other", "0", "nice", "-n", "10",
        ProcessHandle.current().info().command().orElse("java"),
        "-cp", System.getProperty("java.class.path"), AttackBench.class.getName()));
    command.addAll(List.of(args));
    command.addAll(List.of("--role", "attacker"));
    Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String first = p.inputReader(StandardCharsets.UTF_8).readLine();
    if (!"attacking".equals(first)) {
      throw new IOException("the attacker's process did not start: " + first);
    }
    return p;
  }

  private void run(String[] args, String attack, Duration length, int rate) throws Exception {
    attacker(attack); // an unknown attack fails here, before any work
    String token = DevTokens.open(devDir).issue("shop", "cart", List.of("istio-ca"),
        Duration.ofHours(1));
    List<String> csrs = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      csrs.add(CsrBuilder.istioAgent(CsrBuilder.ecP256(), "spiffe://cluster.local/ns/shop/sa/cart"));
    }
    try (SignetClient client = SignetClient.connect("localhost", grpcPort,
        devDir.resolve("root-cert.pem").toFile())) {
      // Warm the caller's connection and the server's token cache before measuring.
      for (int i = 0; i < 3000; i++) {
        client.createCertificate(csrs.get(i % csrs.size()), Duration.ofHours(1), token,
            CALL_DEADLINE);
      }
      Process attackerProcess = startAttacker(args);
      Samples legit = new Samples();
      Samples probes = new Samples();
      ScheduledExecutorService pacer = Executors.newScheduledThreadPool(2);
      ExecutorService callers = Executors.newFixedThreadPool(16);
      HttpClient http = HttpClient.newBuilder().connectTimeout(CALL_DEADLINE).build();
      AtomicLong n = new AtomicLong();
      pacer.scheduleAtFixedRate(() -> callers.execute(() -> legit.time(() ->
          client.createCertificate(csrs.get((int) (n.incrementAndGet() % csrs.size())),
              Duration.ofHours(1), token, CALL_DEADLINE))), 0, 1_000_000 / rate,
          TimeUnit.MICROSECONDS);
      pacer.scheduleAtFixedRate(() -> callers.execute(() -> probes.time(() -> {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + adminPort + "/readyz")).timeout(CALL_DEADLINE).build(),
            HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) {
          throw new IOException("readyz " + r.statusCode());
        }
        return r;
      })), 0, 100, TimeUnit.MILLISECONDS);
      pacer.awaitTermination(length.toMillis(), TimeUnit.MILLISECONDS);
      pacer.shutdownNow();
      callers.shutdown();
      callers.awaitTermination(10, TimeUnit.SECONDS);
      String last = "";
      for (String line : attackerProcess.inputReader(StandardCharsets.UTF_8).lines().toList()) {
        last = line;
      }
      attackerProcess.waitFor();
      System.out.printf("attack=%s seconds=%d legit: %s | readyz: %s | attacker %s%n",
          attack, length.toSeconds(), legit.summary(), probes.summary(), last);
    }
  }

  /** Connections that fill every stream they may open with calls that never send a request. */
  private void streams(int connections) {
    forEachConnection(connections, c -> {
      while (attacking) {
        for (int i = 0; i < 100; i++) {
          c.openCall(METHOD, false);
          sent.incrementAndGet();
        }
        c.flush();
        // Wait for the server to close them (request timeout) or refuse them, then refill.
        for (int closed = 0; closed < 100 && attacking; ) {
          RawHttp2Client.Frame f = c.await(Duration.ofSeconds(30), RawHttp2Client.HEADERS,
              RawHttp2Client.RST_STREAM);
          if (f == RawHttp2Client.CLOSED) {
            return;
          }
          if (f.type() == RawHttp2Client.RST_STREAM || f.headers().contains("grpc-status")) {
            closed++;
          }
        }
      }
    });
  }

  /** HEADERS then RST_STREAM, as fast as the connection takes them (HTTP/2 rapid reset). */
  private void resets(int connections) {
    forEachConnection(connections, c -> {
      while (attacking && c.open()) {
        for (int i = 0; i < 50; i++) {
          c.reset(c.openCall(METHOD, false));
          sent.incrementAndGet();
        }
        c.flush();
      }
    });
  }

  /** Calls whose message is larger than Signet takes. */
  private void oversized(int connections) {
    forEachConnection(connections, c -> {
      while (attacking && c.open()) {
        int stream = c.openCall(METHOD, false);
        c.sendMessage(stream, 300 * 1024, true);
        c.flush();
        sent.incrementAndGet();
        c.await(Duration.ofSeconds(30), RawHttp2Client.HEADERS, RawHttp2Client.RST_STREAM);
      }
    });
  }

  /** Calls with tokens that look like JWTs but were signed by nobody Signet trusts. */
  private void garbageTokens(int connections) {
    SecureRandom random = new SecureRandom();
    byte[] request = IstioCertificateRequest.newBuilder().setCsr(CsrBuilder.istioAgent(
        CsrBuilder.ecP256(), "spiffe://cluster.local/ns/shop/sa/cart")).setValidityDuration(3600)
        .build().toByteArray();
    Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
    String header = b64.encodeToString("{\"alg\":\"ES256\",\"kid\":\"x\"}".getBytes(
        StandardCharsets.UTF_8));
    forEachConnection(connections, c -> {
      while (attacking && c.open()) {
        byte[] sig = new byte[64];
        random.nextBytes(sig);
        long exp = System.currentTimeMillis() / 1000 + 600;
        String claims = b64.encodeToString(("{\"iss\":\"x\",\"aud\":[\"istio-ca\"],\"exp\":" + exp
            + ",\"sub\":\"system:serviceaccount:shop:cart\"}").getBytes(StandardCharsets.UTF_8));
        int stream = c.openCall(METHOD, false, header + "." + claims + "." + b64.encodeToString(sig));
        c.sendMessage(stream, request, true);
        c.flush();
        sent.incrementAndGet();
        c.await(Duration.ofSeconds(30), RawHttp2Client.HEADERS, RawHttp2Client.RST_STREAM);
      }
    });
  }

  /** TLS connections that complete the HTTP/2 preface and then say nothing. */
  private void idle(int connections) {
    List<RawHttp2Client> held = new ArrayList<>();
    for (int i = 0; i < connections && attacking; i++) {
      try {
        held.add(RawHttp2Client.connect(grpcPort, attackerAddress(i)));
        sent.incrementAndGet();
      } catch (Exception e) {
        // Refused or cut off: count only what was held.
      }
    }
    awaitEnd();
    held.forEach(AttackBench::closeQuietly);
  }

  /** TCP connections to the gRPC port that never start their TLS handshake. */
  private void stalls(int connections) {
    List<Socket> held = new ArrayList<>();
    for (int i = 0; i < connections && attacking; i++) {
      try {
        held.add(socket(grpcPort, attackerAddress(i)));
        sent.incrementAndGet();
      } catch (IOException e) {
        // Refused: count only what was held.
      }
    }
    awaitEnd();
    held.forEach(AttackBench::closeQuietly);
  }

  /** Slowloris on the admin port: partial request lines, reopened whenever cut off. */
  private void adminSlow() {
    ConcurrentLinkedQueue<Socket> held = new ConcurrentLinkedQueue<>();
    while (attacking) {
      for (int i = 0; i < 16 * 16 && attacking; i++) {
        try {
          Socket s = socket(adminPort, attackerAddress(i / 16));
          OutputStream out = s.getOutputStream();
          out.write("GET /metr".getBytes(StandardCharsets.US_ASCII));
          out.flush();
          held.add(s);
          sent.incrementAndGet();
        } catch (IOException e) {
          // Refused or cut off: try again next round.
        }
      }
      held.removeIf(Socket::isClosed);
      try {
        if (done.await(500, TimeUnit.MILLISECONDS)) { // the attacker's pace between rounds
          return;
        }
      } catch (InterruptedException e) {
        return;
      }
      held.forEach(AttackBench::closeQuietly);
      held.clear();
    }
  }

  private interface ConnectionAttack {
    void on(RawHttp2Client c) throws Exception;
  }

  private void forEachConnection(int connections, ConnectionAttack attack) {
    List<Thread> threads = new ArrayList<>();
    for (int i = 0; i < connections; i++) {
      String from = attackerAddress(i);
      Thread t = new Thread(() -> {
        while (attacking) {
          try (RawHttp2Client c = RawHttp2Client.connect(grpcPort, from)) {
            attack.on(c);
          } catch (Exception | AssertionError e) {
            // Cut off by the server (GOAWAY, reset, closed): reconnect and go on.
          }
        }
      }, "attacker-" + i);
      t.setDaemon(true);
      t.start();
      threads.add(t);
    }
    awaitEnd();
  }

  private void awaitEnd() {
    try {
      done.await();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static String attackerAddress(int i) {
    return "127.0." + (1 + i / 250) + "." + (2 + i % 250);
  }

  private static Socket socket(int port, String from) throws IOException {
    Socket s = new Socket();
    s.bind(new InetSocketAddress(InetAddress.getByName(from), 0));
    s.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    return s;
  }

  private static void closeQuietly(AutoCloseable c) {
    try {
      c.close();
    } catch (Exception e) {
      // Already gone.
    }
  }

  /** With -Dattack.trace=true, every call slower than 50 ms is listed with its start time. */
  private static final boolean TRACE_SLOW = Boolean.getBoolean("attack.trace");
  private static final long SLOW_NANOS = 50_000_000L;

  /** Latencies of one kind of call, and its errors. */
  private static final class Samples {
    private final ConcurrentLinkedQueue<Long> nanos = new ConcurrentLinkedQueue<>();
    private final ConcurrentLinkedQueue<String> slow = new ConcurrentLinkedQueue<>();
    private final AtomicLong errors = new AtomicLong();
    private final long origin = System.nanoTime();

    interface Call {
      Object run() throws Exception;
    }

    void time(Call call) {
      long start = System.nanoTime();
      try {
        call.run();
        long took = System.nanoTime() - start;
        nanos.add(took);
        if (took > SLOW_NANOS) {
          slow.add(String.format("%.2fs:%dms", (start - origin) / 1e9, took / 1_000_000));
          if (slow.size() == 1) {
            slow.add("(origin " + java.time.Instant.now().minusNanos(System.nanoTime() - origin)
                + ")");
          }
        }
      } catch (Exception e) {
        errors.incrementAndGet();
      }
    }

    String summary() {
      long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
      if (sorted.length == 0) {
        return "n=0 errors=" + errors.get();
      }
      return String.format("n=%d errors=%d p50=%.1fms p99=%.1fms max=%.1fms%s", sorted.length,
          errors.get(), ms(sorted, 0.50), ms(sorted, 0.99), sorted[sorted.length - 1] / 1e6,
          TRACE_SLOW ? " slow(start:took)=" + slow : "");
    }

    private static double ms(long[] sorted, double q) {
      return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
    }
  }
}
