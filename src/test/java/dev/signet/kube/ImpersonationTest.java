package dev.signet.kube;

import static dev.signet.kube.TokenReviewTest.assertStatus;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.pki.Pem;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.Poll;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Ambient impersonation end to end: ztunnel's pod-bound token, reviewed by a real API server,
 * asking over TLS gRPC for the identities of pods on its node, checked against a pod informer.
 */
class ImpersonationTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  @TempDir static Path dir;
  static KubeSignet signet;
  static String ztunnelToken;

  @BeforeAll
  static void start() throws Exception {
    Path kubeconfig = KubeSignet.signetKubeconfig(kube, "signet");
    signet = KubeSignet.start(dir,
        "auth.kind=tokenreview",
        "kubernetes.kubeconfig=" + kubeconfig,
        "auth.trusted-node-accounts=istio-system/ztunnel");
    Pod ztunnel = kube.createPod("istio-system", "ztunnel-a", "ztunnel", "node-a");
    ztunnelToken = kube.token(ztunnel);
    kube.createPod("shop", "cart-1", "cart", "node-a");
    kube.createPod("bank", "vault-1", "vault", "node-b");
  }

  @AfterAll
  static void stop() {
    if (signet != null) {
      signet.close();
    }
  }

  /** Asks with {@code token}, as ztunnel does, for {@code identity} on behalf of its pod. */
  private static List<String> impersonate(String token, String identity) throws Exception {
    return signet.request(identity, token, null, identity);
  }

  /** Impersonating {@code identity} with {@code token} is refused as unauthenticated. */
  private static void assertRefused(String token, String identity, String... messageParts) {
    assertThatThrownBy(() -> impersonate(token, identity))
        .satisfies(e -> assertStatus(e, Status.Code.UNAUTHENTICATED, messageParts));
  }

  /** Retries while the informer has not seen a just-created pod yet. */
  private static List<String> awaitIssued(String token, String identity) {
    AtomicReference<List<String>> chain = new AtomicReference<>();
    AtomicReference<StatusRuntimeException> last = new AtomicReference<>();
    Poll.until(() -> {
      try {
        chain.set(impersonate(token, identity));
        return true;
      } catch (StatusRuntimeException e) {
        last.set(e);
        return false;
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, Duration.ofSeconds(20), "impersonation of " + identity + " (last: " + last + ")");
    return chain.get();
  }

  @Test
  void ztunnelGetsTheIdentityOfAPodOnItsNode() throws Exception {
    List<String> chain = awaitIssued(ztunnelToken, KubeSignet.id("shop", "cart"));
    X509Certificate leaf = Pem.certificates(chain.get(0)).get(0);
    assertThat(leaf.getSubjectAlternativeNames()).hasSize(1)
        .allSatisfy(san -> assertThat(san.get(1)).isEqualTo(KubeSignet.id("shop", "cart")));
  }

  @Test
  void ztunnelIsRefusedAnIdentityWithNoPodOnItsNode() {
    awaitIssued(ztunnelToken, KubeSignet.id("shop", "cart")); // the informer has synced
    assertRefused(ztunnelToken, KubeSignet.id("bank", "vault"),
        "impersonation refused", "no running pod of service account bank/vault", "node 'node-a'");
  }

  @Test
  void aFailedPodDoesNotCount() throws Exception {
    Pod job = kube.createPod("batch", "job-1", "job", "node-a");
    awaitIssued(ztunnelToken, KubeSignet.id("batch", "job"));
    job.setStatus(new PodStatusBuilder().withPhase("Failed").build());
    kube.admin().pods().inNamespace("batch").resource(job).updateStatus();
    Poll.until(() -> {
      try {
        impersonate(ztunnelToken, KubeSignet.id("batch", "job"));
        return false;
      } catch (StatusRuntimeException e) {
        return e.getStatus().getCode() == Status.Code.UNAUTHENTICATED
            && e.getStatus().getDescription().contains("no running pod");
      } catch (Exception e) {
        throw new AssertionError(e);
      }
    }, Duration.ofSeconds(20), "refusal once the pod failed");
  }

  @Test
  void anUntrustedAccountMayNotImpersonate() {
    Pod cart = kube.admin().pods().inNamespace("shop").withName("cart-1").get();
    String cartToken = kube.token(cart);
    assertRefused(cartToken, KubeSignet.id("istio-system", "ztunnel"),
        "'shop/cart' is not a trusted node account");
  }

  @Test
  void aTokenNotBoundToAPodMayNotImpersonate() {
    String unbound = kube.token("istio-system", "ztunnel");
    assertRefused(unbound, KubeSignet.id("shop", "cart"), "not bound to a pod");
  }

  @Test
  void anotherTrustDomainIsRefused() {
    assertRefused(ztunnelToken, "spiffe://evil.example/ns/shop/sa/cart",
        "trust domain 'evil.example'");
  }
}
