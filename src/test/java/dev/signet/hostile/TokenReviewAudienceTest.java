package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.signet.hostile.FakeAudienceUnawareApiServer.Mode;
import dev.signet.testing.KubeTestCluster;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 7: an {@code authenticated: true} TokenReview answer proves the token only
 * for the audiences it names in {@code status.audiences}. Signet reviews through a
 * {@link FakeAudienceUnawareApiServer} in front of a real kube-apiserver: an answer for the API
 * server's own audience, or one without audiences, must not give a certificate.
 */
class TokenReviewAudienceTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  @TempDir static Path dir;
  static FakeAudienceUnawareApiServer reviewer;
  static HostileSignet signet;
  static ManagedChannel channel;

  @BeforeAll
  static void start() throws Exception {
    Path real = HostileSignet.signetKubeconfig(kube);
    reviewer = new FakeAudienceUnawareApiServer(kube);
    String token = java.nio.file.Files.readString(real).lines()
        .filter(l -> l.trim().startsWith("token: ")).findFirst().orElseThrow()
        .trim().substring("token: ".length());
    signet = HostileSignet.start(dir, "auth.kind=tokenreview",
        "kubernetes.kubeconfig=" + kube.kubeconfigAt("via-fake", reviewer.url(), token),
        "auth.cache.max-ttl=0s");
    channel = signet.channelFrom("127.0.0.1");
    kube.createServiceAccount("shop", "cart");
  }

  @AfterAll
  static void stop() {
    if (signet != null) {
      signet.close();
    }
    if (reviewer != null) {
      reviewer.close();
    }
  }

  @BeforeEach
  void passThrough() {
    reviewer.mode = Mode.PASS_THROUGH;
  }

  @Test
  void anAnswerNamingTheRequestedAudienceIsAccepted() throws Exception {
    assertThat(HostileSignet.call(channel, "shop", "cart", tokenFor("istio-ca"))
        .getCertChainCount()).isEqualTo(3);
  }

  @Test
  void anAnswerForTheApiServersOwnAudienceIsRefused() {
    // The token names istio-ca (so Signet's local checks pass) and the API server's own
    // audience; a reviewer that drops spec.audiences gets authenticated: true for the latter.
    String token = tokenFor("istio-ca", "https://kubernetes.default.svc");
    reviewer.mode = Mode.DROP_REQUESTED_AUDIENCES;
    double refused = signet.count("signet.tokenreview.failures", "reason", "audience");
    Status s = refused(token);
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("not accepted for audiences [istio-ca]");
    assertThat(signet.count("signet.tokenreview.failures", "reason", "audience") - refused)
        .isEqualTo(1);
  }

  @Test
  void anAnswerWithoutAudiencesIsRefused() {
    reviewer.mode = Mode.DROP_ANSWERED_AUDIENCES;
    Status s = refused(tokenFor("istio-ca"));
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("not accepted for audiences [istio-ca]");
  }

  private static Status refused(String token) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> HostileSignet.call(channel, "shop", "cart", token));
    assertThat(e).as("the call was refused").isNotNull();
    return e.getStatus();
  }

  /** A real token for shop/cart from the API server's TokenRequest, with these audiences. */
  private static String tokenFor(String... audiences) {
    return kube.admin().serviceAccounts().inNamespace("shop").withName("cart")
        .tokenRequest(new TokenRequestBuilder().withNewSpec().withAudiences(audiences)
            .withExpirationSeconds(600L).endSpec().build())
        .getStatus().getToken();
  }
}
