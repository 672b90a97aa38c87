package dev.signet.kube;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.LogCapture;
import dev.signet.testing.Poll;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * TokenReview authentication end to end: a real kube-apiserver mints tokens (TokenRequest,
 * audience istio-ca) and reviews them for a real Signet over TLS gRPC, which runs as the
 * service account of deploy/kubernetes/rbac.yaml.
 */
class TokenReviewTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  @TempDir static Path dir;
  static KubeSignet signet;
  static final Duration CEILING = Duration.ofSeconds(3);
  static final Duration API_SERVER_CACHE = Duration.ofSeconds(10);

  @BeforeAll
  static void start() throws Exception {
    Path kubeconfig = KubeSignet.signetKubeconfig(kube, "signet");
    signet = KubeSignet.start(dir,
        "auth.kind=tokenreview",
        "kubernetes.kubeconfig=" + kubeconfig,
        "auth.cache.max-ttl=" + CEILING.toSeconds() + "s",
        // More request threads than cores, so concurrent requests really overlap in review.
        "server.worker-threads=8");
  }

  @AfterAll
  static void stop() {
    if (signet != null) {
      signet.close();
    }
  }

  @Test
  void aTokenRequestTokenForIstioCaGetsItsServiceAccountsIdentity() throws Exception {
    kube.createServiceAccount("shop", "cart");
    List<String> chain = signet.request(KubeSignet.id("shop", "cart"), kube.token("shop", "cart"), null);
    assertThat(chain).hasSize(3);
    assertThat(chain.get(0)).startsWith("-----BEGIN CERTIFICATE-----");
  }

  @Test
  void theLocalClusterIdIsTheLocalCluster() throws Exception {
    kube.createServiceAccount("shop", "web");
    assertThat(signet.request(KubeSignet.id("shop", "web"), kube.token("shop", "web"), "Kubernetes"))
        .hasSize(3);
  }

  @Test
  void aTokenForAnotherServiceAccountCannotAskForThisIdentity() {
    kube.createServiceAccount("shop", "cart");
    kube.createServiceAccount("shop", "thief");
    assertThatThrownBy(() -> signet.request(KubeSignet.id("shop", "cart"), kube.token("shop", "thief"), null))
        .satisfies(e -> assertStatus(e, Status.Code.UNAUTHENTICATED,
            "caller's credentials prove 'spiffe://cluster.local/ns/shop/sa/thief'"));
  }

  @Test
  void aTokenForAnotherAudienceIsRefusedWithoutAReview() {
    kube.createServiceAccount("shop", "cart");
    String token = kube.token("shop", "cart", "not-istio", Optional.empty(),
        Duration.ofMinutes(10));
    double reviews = signet.count("signet.tokenreview.duration");
    assertThatThrownBy(() -> signet.request(KubeSignet.id("shop", "cart"), token, null))
        .satisfies(e -> assertStatus(e, Status.Code.UNAUTHENTICATED,
            "audience is not one of [istio-ca]"));
    assertThat(signet.count("signet.tokenreview.duration")).isEqualTo(reviews);
  }

  @Test
  void reviewLatencyIsScrapedAsAHistogram() throws Exception {
    kube.createServiceAccount("histogram", "app");
    signet.request(KubeSignet.id("histogram", "app"), kube.token("histogram", "app"), null);
    String scrape = signet.scrape();
    long buckets = scrape.lines()
        .filter(l -> l.startsWith("signet_tokenreview_duration_seconds_bucket{")
            && l.contains("cluster=\"Kubernetes\""))
        .count();
    assertThat(buckets).as("histogram buckets on /metrics").isGreaterThan(10);
    // Cumulative buckets: +Inf holds every review so far, the same as _count. (The local
    // cluster is tagged with auth.cluster-id.)
    double all = signet.scraped("signet_tokenreview_duration_seconds_bucket", "cluster",
        "Kubernetes", "le", "+Inf");
    assertThat(all).isGreaterThanOrEqualTo(1)
        .isEqualTo(signet.scraped("signet_tokenreview_duration_seconds_count", "cluster",
            "Kubernetes"));
  }

  @Test
  void anExpiredTokenIsRefusedWithoutAReview() {
    kube.createServiceAccount("shop", "cart");
    // Same claims and key as a real token, but exp five minutes ago, past the one-minute
    // leeway Signet allows like the API server (TokenRequest's minimum lifetime is 10 minutes,
    // so a real token cannot expire during a test); Signet's local check refuses it.
    String expired = kube.withExpiry(kube.token("shop", "cart"), Instant.now().minusSeconds(300));
    double reviews = signet.count("signet.tokenreview.duration");
    assertThatThrownBy(() -> signet.request(KubeSignet.id("shop", "cart"), expired, null))
        .satisfies(e -> assertStatus(e, Status.Code.UNAUTHENTICATED, "expired"));
    assertThat(signet.count("signet.tokenreview.duration")).isEqualTo(reviews);
  }

  @Test
  void aDeletedServiceAccountsTokenIsRefused() {
    kube.createServiceAccount("gone", "app");
    String token = kube.token("gone", "app");
    kube.admin().serviceAccounts().inNamespace("gone").withName("app").delete();
    awaitRefused(KubeSignet.id("gone", "app"), token, Duration.ofSeconds(20));
  }

  @Test
  void aPositiveReviewIsReusedForAtMostTheCeiling() throws Exception {
    kube.createServiceAccount("ceiling", "app");
    String token = kube.token("ceiling", "app");
    double reviews = signet.count("signet.tokenreview.duration");
    signet.request(KubeSignet.id("ceiling", "app"), token, null);
    // The review was cached before the answer left Signet, so no later than now.
    Instant cached = Instant.now();
    signet.request(KubeSignet.id("ceiling", "app"), token, null);
    assertThat(signet.count("signet.tokenreview.duration") - reviews).isEqualTo(1);
    Poll.until(() -> Instant.now().isAfter(cached.plus(CEILING).plusMillis(100)),
        CEILING.plusSeconds(5));
    signet.request(KubeSignet.id("ceiling", "app"), token, null);
    assertThat(signet.count("signet.tokenreview.duration") - reviews).isEqualTo(2);
  }

  @Test
  void aRevokedTokenIsRefusedWithinTheCeilingPlusTheApiServersOwnCache() throws Exception {
    kube.createServiceAccount("revoked", "app");
    String token = kube.token("revoked", "app");
    assertThat(signet.request(KubeSignet.id("revoked", "app"), token, null)).hasSize(3);
    Instant deleted = Instant.now();
    kube.admin().serviceAccounts().inNamespace("revoked").withName("app").delete();
    // kube-apiserver itself caches successful token authentications for 10 s; Signet adds at
    // most its ceiling on top (docs/kubernetes.md).
    Duration bound = CEILING.plus(API_SERVER_CACHE);
    Instant refused = awaitRefused(KubeSignet.id("revoked", "app"), token, bound.plusSeconds(10));
    assertThat(Duration.between(deleted, refused)).isLessThan(bound.plusSeconds(3));
  }

  @Test
  void aCachedReviewNeverOutlivesTheTokensOwnExpiry() throws Exception {
    // A Signet whose ceiling is long, and a token whose own exp is 5 s away: once exp has
    // passed, the next request must go back to the API server instead of the cache.
    kube.createServiceAccount("short", "app");
    try (KubeSignet longCache = KubeSignet.start(dir.resolve("long"),
        "auth.kind=tokenreview",
        "kubernetes.kubeconfig=" + KubeSignet.signetKubeconfig(kube, "signet-long"),
        "auth.cache.max-ttl=10m")) {
      Instant exp = Instant.now().plusSeconds(5);
      String token = kube.withExpiry(kube.token("short", "app"), exp);
      assertThat(longCache.request(KubeSignet.id("short", "app"), token, null)).hasSize(3);
      assertThat(longCache.request(KubeSignet.id("short", "app"), token, null)).hasSize(3);
      assertThat(longCache.count("signet.tokenreview.duration")).isEqualTo(1);
      assertThat(longCache.count("signet.auth.cache.requests", "result", "hit")).isEqualTo(1);
      Poll.until(() -> Instant.now().isAfter(exp), Duration.ofSeconds(10));
      // The API server still accepts it within its own one-minute expiry leeway (go-jose's
      // default); what matters here is that Signet asked it again.
      try {
        longCache.request(KubeSignet.id("short", "app"), token, null);
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      }
      assertThat(longCache.count("signet.tokenreview.duration")).isEqualTo(2);
    }
  }

  @Test
  void repeatedRequestsAreServedFromTheCache() throws Exception {
    kube.createServiceAccount("cache", "app");
    String token = kube.token("cache", "app");
    double reviews = signet.count("signet.tokenreview.duration");
    double hits = signet.count("signet.auth.cache.requests", "result", "hit");
    signet.request(KubeSignet.id("cache", "app"), token, null);
    signet.request(KubeSignet.id("cache", "app"), token, null);
    signet.request(KubeSignet.id("cache", "app"), token, null);
    assertThat(signet.count("signet.tokenreview.duration") - reviews).isEqualTo(1);
    assertThat(signet.count("signet.auth.cache.requests", "result", "hit") - hits).isEqualTo(2);
  }

  @Test
  void concurrentRequestsWithOneTokenShareOneReview() throws Exception {
    kube.createServiceAccount("flight", "app");
    String token = kube.token("flight", "app");
    double reviews = signet.count("signet.tokenreview.duration");
    int n = 8;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<List<String>>> answers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        answers.add(pool.submit(() -> {
          go.await();
          return signet.request(KubeSignet.id("flight", "app"), token, null);
        }));
      }
      go.countDown();
      for (Future<List<String>> f : answers) {
        assertThat(f.get()).hasSize(3);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(signet.count("signet.tokenreview.duration") - reviews).isEqualTo(1);
  }

  @Test
  void anUnreachableApiServerIsUnavailableNotUnauthenticated() throws Exception {
    kube.createServiceAccount("shop", "cart");
    Path nowhere = kube.kubeconfigAt("nowhere", "https://127.0.0.1:" + freePort(), "token");
    try (KubeSignet offline = KubeSignet.start(dir.resolve("offline"),
        "auth.kind=tokenreview", "kubernetes.kubeconfig=" + nowhere)) {
      assertThatThrownBy(() -> offline.request(KubeSignet.id("shop", "cart"), kube.token("shop", "cart"),
          null))
          .satisfies(e -> assertStatus(e, Status.Code.UNAVAILABLE, "cannot be checked"));
      assertThat(offline.count("signet.tokenreview.failures", "reason", "unreachable"))
          .isEqualTo(1);
    }
  }

  @Test
  void signetWithoutRbacForTokenReviewsIsUnavailableAndLogsWhy() throws Exception {
    kube.createServiceAccount("shop", "cart");
    kube.createServiceAccount("signet-system", "powerless");
    Path powerless = kube.kubeconfig("powerless", kube.token("signet-system", "powerless",
        "https://kubernetes.default.svc", Optional.empty(), Duration.ofHours(1)));
    try (KubeSignet unprivileged = KubeSignet.start(dir.resolve("powerless"),
        "auth.kind=tokenreview", "kubernetes.kubeconfig=" + powerless);
        LogCapture log = LogCapture.of(TokenReviewAuthenticator.class.getName())) {
      assertThatThrownBy(() -> unprivileged.request(KubeSignet.id("shop", "cart"),
          kube.token("shop", "cart"), null))
          .satisfies(e -> assertStatus(e, Status.Code.UNAVAILABLE, "cannot be checked"))
          .satisfies(e -> assertThat(((StatusRuntimeException) e).getStatus().getDescription())
              .doesNotContain("403").doesNotContain("RBAC"));
      assertThat(unprivileged.count("signet.tokenreview.failures", "reason", "forbidden"))
          .isEqualTo(1);
      assertThat(log.messages()).anySatisfy(m -> assertThat(m)
          .contains("may not create TokenReviews").contains("HTTP 403"));
    }
  }

  @Test
  void anUnknownClusterIdIsRefusedByName() {
    kube.createServiceAccount("shop", "cart");
    assertThatThrownBy(() -> signet.request(KubeSignet.id("shop", "cart"), kube.token("shop", "cart"),
        "mars"))
        .satisfies(e -> assertStatus(e, Status.Code.UNAUTHENTICATED,
            "unknown cluster id 'mars'", "auth.clusters"));
  }

  private static Instant awaitRefused(String identity, String token, Duration within) {
    return awaitRefused(signet, identity, token, within);
  }

  /** Polls until the request is refused as UNAUTHENTICATED; returns when. */
  static Instant awaitRefused(KubeSignet s, String identity, String token, Duration within) {
    Instant deadline = Instant.now().plus(within);
    while (true) {
      try {
        s.request(identity, token, null);
      } catch (StatusRuntimeException e) {
        assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
        return Instant.now();
      } catch (Exception e) {
        throw new AssertionError(e);
      }
      if (Instant.now().isAfter(deadline)) {
        throw new AssertionError("still accepted after " + within);
      }
      Poll.pause();
    }
  }

  static void assertStatus(Throwable e, Status.Code code, String... messageParts) {
    assertThat(e).isInstanceOf(StatusRuntimeException.class);
    Status s = ((StatusRuntimeException) e).getStatus();
    assertThat(s.getCode()).as(s.toString()).isEqualTo(code);
    for (String part : messageParts) {
      assertThat(s.getDescription()).contains(part);
    }
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
