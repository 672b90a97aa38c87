package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.kube.PodIndex;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.Poll;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodStatusBuilder;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Issue 12 item 15c: the pod informer behind impersonation keeps, of each pod, only what the
 * impersonation check reads, not whole Pod objects (labels, annotations, containers, ...), and
 * still answers by name, node and service account as pods come, change and go. Against a real
 * kube-apiserver.
 */
class PodIndexSlimTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();

  @Test
  void theIndexKeepsOnlyWhatImpersonationReadsAndStillAnswers() {
    kube.createServiceAccount("shop", "cart");
    Pod before = kube.admin().pods().inNamespace("shop").resource(fatPod("cart-1", "node-a"))
        .create();
    try (PodIndex index = PodIndex.start(kube.admin())) {
      Poll.until(index::synced, Duration.ofSeconds(30), "the first pod list");
      // A pod from the first list, and one from the watch.
      Pod after = kube.admin().pods().inNamespace("shop").resource(fatPod("cart-2", "node-b"))
          .create();
      Poll.until(() -> index.pod("shop", "cart-2").isPresent(), Duration.ofSeconds(30),
          "the watched pod");

      for (Pod created : List.of(before, after)) {
        Pod kept = index.pod("shop", created.getMetadata().getName()).orElseThrow();
        assertThat(kept.getMetadata().getUid()).isEqualTo(created.getMetadata().getUid());
        assertThat(kept.getSpec().getNodeName()).isEqualTo(created.getSpec().getNodeName());
        assertThat(kept.getSpec().getServiceAccountName()).isEqualTo("cart");
        // What impersonation never reads is not kept.
        assertThat(kept.getMetadata().getLabels()).isNullOrEmpty();
        assertThat(kept.getMetadata().getAnnotations()).isNullOrEmpty();
        assertThat(kept.getMetadata().getManagedFields()).isNullOrEmpty();
        assertThat(kept.getSpec().getContainers()).isNullOrEmpty();
        assertThat(kept.getSpec().getVolumes()).isNullOrEmpty();
      }
      assertThat(names(index.byNode("node-a"))).containsExactly("cart-1");
      assertThat(names(index.byNode("node-b"))).containsExactly("cart-2");
      assertThat(names(index.byServiceAccount("shop", "cart")))
          .containsExactlyInAnyOrder("cart-1", "cart-2");

      // The phase is kept (a failed pod does not count for impersonation).
      kube.admin().pods().inNamespace("shop").withName("cart-2").editStatus(p ->
          new PodBuilder(p).withStatus(new PodStatusBuilder(p.getStatus()).withPhase("Failed")
              .build()).build());
      Poll.until(() -> "Failed".equals(index.pod("shop", "cart-2").orElseThrow().getStatus()
          .getPhase()), Duration.ofSeconds(30), "the phase update");

      // A deleted pod leaves every index: the slim pods still carry the indexed fields.
      kube.admin().pods().inNamespace("shop").withName("cart-1").withGracePeriod(0).delete();
      Poll.until(() -> index.pod("shop", "cart-1").isEmpty(), Duration.ofSeconds(30),
          "the deletion");
      assertThat(index.byNode("node-a")).isEmpty();
      assertThat(names(index.byServiceAccount("shop", "cart"))).containsExactly("cart-2");
    }
  }

  /** A pod the size real ones have: labels, annotations, a few containers with env. */
  private static Pod fatPod(String name, String node) {
    PodBuilder b = new PodBuilder().withNewMetadata().withName(name).withNamespace("shop")
        .addToLabels("app", "cart").addToLabels("version", "v1")
        .addToAnnotations("kubectl.kubernetes.io/last-applied-configuration", "x".repeat(4096))
        .endMetadata()
        .withNewSpec().withServiceAccountName("cart").withAutomountServiceAccountToken(false)
        .withNodeName(node)
        .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
        .endSpec();
    for (int i = 0; i < 3; i++) {
      b.editSpec().addNewContainer().withName("c" + i).withImage("example.invalid/app:1")
          .addNewEnv().withName("SETTING").withValue("y".repeat(512)).endEnv()
          .endContainer().endSpec();
    }
    return b.build();
  }

  private static List<String> names(List<Pod> pods) {
    return pods.stream().map(p -> p.getMetadata().getName()).toList();
  }
}
