package dev.signet.bench;

import dev.signet.testing.KubeTestCluster;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The API-server half of the TokenReview storm ({@code src/bench/tokenreview-storm.sh}): starts a
 * real kube-apiserver, creates {@code N} service accounts in namespace {@code storm} and a token
 * for each from the TokenRequest API (audience istio-ca), writes them to
 * {@code <dir>/tokens-K.txt} (K = 0, 1: one set per CA server, so every token is new to the
 * server that gets it) and an admin kubeconfig to {@code <dir>/kubeconfig}, then measures how fast
 * the same API server answers TokenReviews of {@code N} more fresh tokens sent directly,
 * {@code workers} at a time, and its CPU per review. It prints {@code ready <apiserver pid>} and
 * keeps the cluster up until its standard input closes.
 *
 * <p>Arguments: {@code dir N workers}.
 */
public final class TokenReviewStorm {
  private TokenReviewStorm() {}

  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    int n = Integer.parseInt(args[1]);
    int workers = Integer.parseInt(args[2]);
    try (KubeTestCluster cluster = new KubeTestCluster().start()) {
      long started = System.nanoTime();
      cluster.createNamespace("storm");
      List<List<String>> sets = new ArrayList<>();
      for (int set = 0; set < 3; set++) {
        sets.add(tokens(cluster, n, workers, set));
      }
      for (int set = 0; set < 2; set++) {
        Files.write(dir.resolve("tokens-" + set + ".txt"), sets.get(set));
      }
      Files.copy(cluster.adminKubeconfig(), dir.resolve("kubeconfig"));
      System.out.printf("set-up: %d service accounts and %d tokens in %.0f s%n", n, 3 * n,
          (System.nanoTime() - started) / 1e9);
      direct(cluster, sets.get(2), workers);
      System.out.println("ready " + cluster.apiServerPid());
      System.out.flush();
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(System.in, StandardCharsets.UTF_8))) {
        while (in.readLine() != null) {
          // held until the script is done with the cluster
        }
      }
    }
  }

  /** Service accounts {@code load-0..n-1} (made once) and a fresh token for each. */
  private static List<String> tokens(KubeTestCluster cluster, int n, int workers, int set)
      throws Exception {
    String[] tokens = new String[n];
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        int k = i;
        done.add(pool.submit(() -> {
          if (set == 0) {
            cluster.createServiceAccount("storm", "load-" + k);
          }
          tokens[k] = cluster.token("storm", "load-" + k, "istio-ca", java.util.Optional.empty(),
              java.time.Duration.ofHours(2));
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    return Arrays.asList(tokens);
  }

  /** TokenReviews of {@code tokens}, {@code workers} at a time, straight to the API server. */
  private static void direct(KubeTestCluster cluster, List<String> tokens, int workers)
      throws Exception {
    KubernetesClient admin = cluster.admin();
    AtomicInteger failed = new AtomicInteger();
    double cpuBefore = ServerMetrics.ofProcess(cluster.apiServerPid(), 0).cpuSeconds();
    long start = System.nanoTime();
    ExecutorService pool = Executors.newFixedThreadPool(workers);
    try {
      List<Future<?>> done = new ArrayList<>();
      for (String token : tokens) {
        done.add(pool.submit(() -> {
          TokenReview review = admin.resource(new TokenReviewBuilder().withNewSpec()
              .withToken(token).withAudiences("istio-ca").endSpec().build()).create();
          if (!Boolean.TRUE.equals(review.getStatus().getAuthenticated())) {
            failed.incrementAndGet();
          }
        }));
      }
      for (Future<?> f : done) {
        f.get();
      }
    } finally {
      pool.shutdown();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    double cpu = ServerMetrics.ofProcess(cluster.apiServerPid(), 0).cpuSeconds() - cpuBefore;
    System.out.printf("direct TokenReviews: %d, %d workers: %.0f reviews/s, %d not authenticated,"
        + " kube-apiserver CPU %.0f us/review%n", tokens.size(), workers, tokens.size() / seconds,
        failed.get(), cpu / tokens.size() * 1e6);
  }
}
