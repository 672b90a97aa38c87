package dev.signet.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.kube.trust.RootCertPublisher;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.Poll;
import dev.signet.testing.SignetProcess;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * A leader that dies without releasing its Lease (SIGKILL of its process): the other replica
 * takes the Lease once it expires and carries on with the duties.
 */
class LeaderCrashTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  @TempDir Path dir;

  /** The Lease rbac.yaml lets Signet renew (its verbs but create are limited to this name). */
  private static final String LEASE = "signet-leader";

  @Test
  void aKilledLeaderIsReplacedOnceItsLeaseExpires() throws Exception {
    String[] settings = {
        "kubernetes.kubeconfig=" + KubeSignet.signetKubeconfig(kube, "signet"),
        "kubernetes.trust-bundle.enabled=true",
        "kubernetes.leader-election.lease-name=" + LEASE,
        "kubernetes.leader-election.lease-duration=4s",
        "kubernetes.leader-election.renew-deadline=3s",
        "kubernetes.leader-election.retry-period=500ms"};
    try (SignetProcess first = SignetProcess.start(dir, "first-replica", settings)) {
      Poll.until(() -> holder().startsWith("first-replica-"), Duration.ofSeconds(30),
          "the first replica to hold the Lease");
      try (KubeSignet second = KubeSignet.start(dir, settings)) {
        assertThat(second.server.leading()).isFalse();
        first.kill();
        // Nothing released the Lease: the second replica must wait for it to expire.
        assertThat(holder()).startsWith("first-replica-");
        Poll.until(second.server::leading, Duration.ofSeconds(30), "the second replica to lead");
        assertThat(holder()).doesNotStartWith("first-replica-");
        kube.createNamespace("after-the-crash");
        Poll.until(() -> kube.admin().configMaps().inNamespace("after-the-crash")
            .withName(RootCertPublisher.NAME).get() != null, Duration.ofSeconds(30),
            "the new leader to publish the trust bundle");
      }
    }
  }

  private static String holder() {
    Lease lease = kube.admin().leases().inNamespace("signet-system").withName(LEASE).get();
    return lease == null || lease.getSpec().getHolderIdentity() == null ? ""
        : lease.getSpec().getHolderIdentity();
  }
}
