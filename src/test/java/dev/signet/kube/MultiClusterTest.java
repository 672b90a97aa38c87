package dev.signet.kube;

import static dev.signet.kube.TokenReviewTest.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.testing.KubeTestCluster;
import io.grpc.Status;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many clusters against two real API servers: the local one and "east" by TokenReview, and
 * "west" (east's tokens) verified offline against east's keys; the clusterid header decides.
 */
class MultiClusterTest {
  @RegisterExtension static final KubeTestCluster local = new KubeTestCluster();
  @RegisterExtension static final KubeTestCluster east = new KubeTestCluster();
  @TempDir static Path dir;
  static KubeSignet signet;

  @BeforeAll
  static void start() throws Exception {
    Path localConfig = KubeSignet.signetKubeconfig(local, "signet");
    Path eastConfig = KubeSignet.signetKubeconfig(east, "signet");
    signet = KubeSignet.start(dir,
        "auth.kind=tokenreview",
        "kubernetes.kubeconfig=" + localConfig,
        "auth.clusters=id=east;kind=tokenreview;kubeconfig=" + eastConfig
            + ",id=west;kind=jwt;issuer=https://kubernetes.default.svc;jwks-file="
            + east.jwksFile(),
        "auth.trusted-node-accounts=istio-system/ztunnel");
    local.createServiceAccount("shop", "cart");
    east.createServiceAccount("shop", "cart");
  }

  @AfterAll
  static void stop() {
    if (signet != null) {
      signet.close();
    }
  }

  private static final String CART = "spiffe://cluster.local/ns/shop/sa/cart";

  @Test
  void theLocalClustersTokensNeedNoHeader() throws Exception {
    assertThat(signet.request(CART, local.token("shop", "cart"), null)).hasSize(3);
    assertThat(signet.request(CART, local.token("shop", "cart"), "")).hasSize(3);
  }

  @Test
  void anotherClustersTokenIsReviewedByThatClustersApiServer() throws Exception {
    double before = signet.count("signet.tokenreview.duration", "cluster", "east");
    assertThat(signet.request(CART, east.token("shop", "cart"), "east")).hasSize(3);
    assertThat(signet.count("signet.tokenreview.duration", "cluster", "east") - before)
        .isEqualTo(1);
  }

  @Test
  void aTokenSentToTheWrongClusterIsRefused() {
    assertThatThrownBy(() -> signet.request(CART, east.token("shop", "cart"), null))
        .satisfies(e -> assertStatus(e, Status.Code.UNAUTHENTICATED,
            "did not accept the token"));
    assertThatThrownBy(() -> signet.request(CART, local.token("shop", "cart"), "east"))
        .satisfies(e -> assertStatus(e, Status.Code.UNAUTHENTICATED,
            "did not accept the token"));
  }

  @Test
  void aJwtClusterIsVerifiedOfflineWithoutAReview() throws Exception {
    double reviews = signet.count("signet.tokenreview.duration", "cluster", "east");
    assertThat(signet.request(CART, east.token("shop", "cart"), "west")).hasSize(3);
    assertThat(signet.count("signet.tokenreview.duration", "cluster", "east"))
        .isEqualTo(reviews);
    assertThatThrownBy(() -> signet.request(CART, local.token("shop", "cart"), "west"))
        .satisfies(e -> assertStatus(e, Status.Code.UNAUTHENTICATED, "signature"));
  }

  @Test
  void aRemoteClustersZtunnelImpersonatesPodsOnItsNodeThere() {
    String ztunnel = east.token(east.createPod("istio-system", "ztunnel-e", "ztunnel", "node-e"));
    east.createPod("shop", "cart-e", "cart", "node-e");
    // Retried while east's pod informer has not seen the new pods yet.
    dev.signet.testing.Poll.until(() -> {
      try {
        return signet.request(CART, ztunnel, "east", CART).size() == 3;
      } catch (Exception e) {
        return false;
      }
    }, java.time.Duration.ofSeconds(20), "impersonation in cluster east");
    // The local cluster has no such pods: its ztunnel may not impersonate cart.
    String localZtunnel = local.token(local.createPod("istio-system", "ztunnel-l", "ztunnel",
        "node-l"));
    dev.signet.testing.Poll.until(() -> {
      try {
        signet.request(CART, localZtunnel, null, CART);
        throw new AssertionError("the local ztunnel impersonated a pod it does not host");
      } catch (io.grpc.StatusRuntimeException e) {
        // Until the local informer has seen ztunnel-l, the refusal names its pod instead.
        return e.getStatus().getCode() == Status.Code.UNAUTHENTICATED
            && e.getStatus().getDescription()
                .contains("no running pod of service account shop/cart is on node 'node-l'");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, java.time.Duration.ofSeconds(20), "refusal in the local cluster");
  }

  @Test
  void anUnknownClusterIdIsRefusedWithoutNamingTheKnownOnes() {
    assertThatThrownBy(() -> signet.request(CART, local.token("shop", "cart"), "north"))
        .satisfies(e -> assertStatus(e, Status.Code.UNAUTHENTICATED,
            "unknown cluster id 'north'", "auth.clusters"))
        .satisfies(e -> assertThat(((io.grpc.StatusRuntimeException) e).getStatus()
            .getDescription()).doesNotContain("east").doesNotContain("west"));
  }
}
