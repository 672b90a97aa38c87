package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.common.util.concurrent.ListenableFuture;
import dev.signet.api.v1.IstioCertificateResponse;
import dev.signet.testing.KubeTestCluster;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 3: tokens that cannot be valid must neither starve real callers nor cost the
 * API server a TokenReview each. A real Signet in TokenReview mode on a real kube-apiserver;
 * the attacker connects from 127.0.0.2 (or another loopback address per test), the
 * legitimate workload from 127.0.0.1. Outcomes are asserted, never timings.
 */
class GarbageTokenStormTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  @TempDir static Path dir;
  static HostileSignet signet;
  /** The default limits (auth.peer.*); only the cool-down is lengthened, so no budget refills
   *  while a test runs and the bound below is exact. */
  static final int FAILURE_BURST = 20;
  static final int MAX_PENDING = 8;
  static final int STORM = 48;

  @BeforeAll
  static void start() throws Exception {
    signet = HostileSignet.start(dir, "auth.kind=tokenreview",
        "kubernetes.kubeconfig=" + HostileSignet.signetKubeconfig(kube),
        "auth.tokenreview.issuer=" + Forgery.API_ISSUER,
        "auth.peer.cool-down=5m");
  }

  @AfterAll
  static void stop() {
    if (signet != null) {
      signet.close();
    }
  }

  @Test
  void aStormOfForgedTokensFromOnePeerStarvesNeitherARealCallerNorTheApiServer()
      throws Exception {
    ManagedChannel attacker = signet.channelFrom("127.0.0.2");
    ManagedChannel workload = signet.channelFrom("127.0.0.1");
    kube.createServiceAccount("shop", "cart");
    String realToken = kube.token("shop", "cart");
    double reviewsBefore = signet.reviews();
    Map<Status.Code, Integer> outcomes = new EnumMap<>(Status.Code.class);
    // Waves of concurrent forged tokens (each one different, so no cache can help), until the
    // attacker's address is refused outright; the workload asks for its certificate while
    // the first wave is in flight.
    boolean cooling = false;
    IstioCertificateResponse answer = null;
    for (int wave = 0; wave < 10 && !cooling; wave++) {
      List<ListenableFuture<IstioCertificateResponse>> storm = new ArrayList<>();
      for (int i = 0; i < STORM; i++) {
        storm.add(HostileSignet.stub(attacker, "Bearer " + Forgery.forged())
            .createCertificate(HostileSignet.request("shop", "cart")));
      }
      if (wave == 0) {
        answer = HostileSignet.call(workload, "shop", "cart", realToken);
      }
      int exhausted = 0;
      for (ListenableFuture<IstioCertificateResponse> f : storm) {
        Status.Code code = codeOf(f);
        outcomes.merge(code, 1, Integer::sum);
        exhausted += code == Status.Code.RESOURCE_EXHAUSTED ? 1 : 0;
      }
      cooling = exhausted == STORM;
    }
    assertThat(answer).as("the workload's certificate").isNotNull();
    assertThat(answer.getCertChainCount()).isEqualTo(3);
    assertThat(outcomes).as("what the attacker got").containsOnlyKeys(
        Status.Code.RESOURCE_EXHAUSTED, Status.Code.UNAUTHENTICATED);
    assertThat(cooling).as("the attacker's address is refused outright in the end").isTrue();
    // One review for the workload; the attacker's failure budget and its slots in flight
    // bound the rest.
    assertThat(signet.reviews() - reviewsBefore - 1)
        .as("TokenReviews the attacker cost the API server")
        .isLessThanOrEqualTo(FAILURE_BURST + MAX_PENDING);
    // The limits are per peer: the workload still gets a first check with a new token.
    assertThat(HostileSignet.call(workload, "shop", "cart", kube.token("shop", "cart"))
        .getCertChainCount()).isEqualTo(3);
    assertThat(signet.count("signet.auth.refused", "reason", "peer_failures")).isPositive();
  }

  @Test
  void aRefusedTokenSentAgainCostsNoSecondReview() throws Exception {
    ManagedChannel channel = signet.channelFrom("127.0.0.3");
    String forged = Forgery.forged();
    double reviews = signet.reviews();
    for (int i = 0; i < 10; i++) {
      assertThat(codeOf(HostileSignet.stub(channel, "Bearer " + forged)
          .createCertificate(HostileSignet.request("shop", "cart"))))
          .isEqualTo(Status.Code.UNAUTHENTICATED);
    }
    assertThat(signet.reviews() - reviews).isEqualTo(1);
    assertThat(signet.count("signet.auth.cache.requests", "result", "refused"))
        .isGreaterThanOrEqualTo(9);
  }

  @Test
  void tokensThatCannotBeValidAreRefusedByNameWithoutAReview() throws Exception {
    ManagedChannel channel = signet.channelFrom("127.0.0.4");
    long hour = Instant.now().plusSeconds(3600).getEpochSecond();
    long past = Instant.now().minusSeconds(600).getEpochSecond();
    String rs256 = "{\"alg\":\"RS256\"}";
    String sig = Forgery.random(256);
    Map<String, String> garbage = new java.util.LinkedHashMap<>();
    garbage.put("Bearer not-a-jwt", "not a JWT");
    garbage.put("Bearer " + Forgery.token("{\"alg\":\"none\"}", claims(hour, "istio-ca",
        Forgery.API_ISSUER), ""), "not signed (alg none)");
    garbage.put("Bearer " + Forgery.token("{\"alg\":\"HS256\"}", claims(hour, "istio-ca",
        Forgery.API_ISSUER), sig), "signing algorithm is not one Signet accepts");
    garbage.put("Bearer " + Forgery.token(rs256, claims(past, "istio-ca", Forgery.API_ISSUER),
        sig), "has expired");
    garbage.put("Bearer " + Forgery.token(rs256, claims(hour, "other", Forgery.API_ISSUER),
        sig), "audience is not one of [istio-ca]");
    garbage.put("Bearer " + Forgery.token(rs256, claims(hour, "istio-ca", "https://evil"),
        sig), "issuer is not the one configured");
    garbage.put("Bearer " + Forgery.token(rs256, "{\"aud\":\"istio-ca\"}", sig),
        "has no exp claim");
    garbage.put("Bearer " + Forgery.random(40) + "." + Forgery.random(40) + "."
        + Forgery.random(40) + "." + Forgery.random(40) + "." + Forgery.random(16),
        "encrypted JWT");
    garbage.put("Basic dXNlcjpwYXNz", "not 'Bearer <token>'");
    double reviews = signet.reviews();
    for (Map.Entry<String, String> g : garbage.entrySet()) {
      try {
        HostileSignet.stub(channel, g.getKey())
            .createCertificate(HostileSignet.request("shop", "cart")).get(30, TimeUnit.SECONDS);
        throw new AssertionError("accepted: " + g.getValue());
      } catch (ExecutionException e) {
        Status s = ((StatusRuntimeException) e.getCause()).getStatus();
        assertThat(s.getCode()).as(g.getValue()).isEqualTo(Status.Code.UNAUTHENTICATED);
        assertThat(s.getDescription()).as(g.getValue()).contains(g.getValue());
      }
    }
    assertThat(signet.reviews()).as("TokenReviews").isEqualTo(reviews);
  }

  private static String claims(long exp, String aud, String iss) {
    return "{\"iss\":\"" + iss + "\",\"sub\":\"system:serviceaccount:shop:cart\",\"aud\":\""
        + aud + "\",\"exp\":" + exp + "}";
  }

  private static Status.Code codeOf(ListenableFuture<IstioCertificateResponse> call)
      throws Exception {
    try {
      call.get(60, TimeUnit.SECONDS);
      return Status.Code.OK;
    } catch (ExecutionException e) {
      return ((StatusRuntimeException) e.getCause()).getStatus().getCode();
    }
  }
}
