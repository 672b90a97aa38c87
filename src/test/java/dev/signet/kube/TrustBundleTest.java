package dev.signet.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.kube.trust.RootCertPublisher;
import dev.signet.pki.CaCertificates;
import dev.signet.pki.Pem;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.Poll;
import io.fabric8.kubernetes.api.model.ConfigMap;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Trust distribution and leader election against a real API server: two Signet replicas
 * sharing one CA and one Lease; only the leader writes istio-ca-root-cert, which is created,
 * repaired, updated on rotation, and kept by the other replica once the leader loses the Lease
 * or goes away. Each replica's {@code signet_leader} on /metrics says which one leads.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class TrustBundleTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  @TempDir static Path dir;
  static KubeSignet first;
  static KubeSignet second;
  static final Duration WITHIN = Duration.ofSeconds(30);

  @BeforeAll
  static void start() throws Exception {
    Path kubeconfig = KubeSignet.signetKubeconfig(kube, "signet");
    String[] settings = {
        "kubernetes.kubeconfig=" + kubeconfig,
        "kubernetes.trust-bundle.enabled=true",
        "kubernetes.leader-election.lease-duration=4s",
        "kubernetes.leader-election.renew-deadline=3s",
        "kubernetes.leader-election.retry-period=500ms",
        "ca.files.reload-interval=300ms"};
    kube.createNamespace("shop");
    first = KubeSignet.start(dir, settings);
    second = KubeSignet.start(dir, settings);
  }

  @AfterAll
  static void stop() {
    if (first != null) {
      first.close();
    }
    if (second != null) {
      second.close();
    }
  }

  private static ConfigMap configMap(String namespace) {
    return kube.admin().configMaps().inNamespace(namespace).withName(RootCertPublisher.NAME)
        .get();
  }

  private static List<X509Certificate> roots() throws Exception {
    return Pem.certificates(Files.readString(dir.resolve("root-cert.pem")));
  }

  private static boolean holdsRoots(String namespace) {
    ConfigMap cm = configMap(namespace);
    if (cm == null || cm.getData() == null || cm.getData().get(RootCertPublisher.KEY) == null) {
      return false;
    }
    try {
      return Pem.certificates(cm.getData().get(RootCertPublisher.KEY)).equals(roots())
          && "true".equals(cm.getMetadata().getLabels().get("istio.io/config"));
    } catch (Exception e) {
      return false;
    }
  }

  private static void awaitRoots(String namespace) {
    Poll.until(() -> holdsRoots(namespace), WITHIN, "istio-ca-root-cert in " + namespace);
  }

  @Test
  @Order(1)
  void exactlyOneReplicaLeads() {
    KubeSignet leader = awaitLeader();
    assertThat(first.server.leading() && second.server.leading()).isFalse();
    KubeSignet follower = otherThan(leader);
    awaitLeaderGauges(leader, follower);
  }

  /** Waits until one of the replicas leads, and returns it. */
  private static KubeSignet awaitLeader() {
    Poll.until(() -> first.server.leading() || second.server.leading(), WITHIN, "a leader");
    return first.server.leading() ? first : second;
  }

  private static KubeSignet otherThan(KubeSignet replica) {
    return replica == first ? second : first;
  }

  /** signet_leader is 1 on {@code leader}'s /metrics and 0 on {@code follower}'s. */
  private static void awaitLeaderGauges(KubeSignet leader, KubeSignet follower) {
    Poll.until(() -> leader.scraped("signet_leader") == 1 && follower.scraped("signet_leader") == 0,
        WITHIN, "signet_leader 1 on the leader and 0 on the other replica");
  }

  @Test
  @Order(2)
  void everyNamespaceGetsTheRootsIncludingKubeSystemAndNewOnes() {
    awaitRoots("kube-system");
    awaitRoots("default");
    awaitRoots("shop");
    kube.createNamespace("brand-new");
    awaitRoots("brand-new");
  }

  @Test
  @Order(3)
  void anEditedConfigMapIsRepaired() {
    awaitRoots("shop");
    kube.admin().configMaps().inNamespace("shop").withName(RootCertPublisher.NAME)
        .edit(cm -> {
          cm.setData(Map.of(RootCertPublisher.KEY, "not a certificate"));
          return cm;
        });
    awaitRoots("shop");
  }

  @Test
  @Order(4)
  void aDeletedConfigMapIsRecreated() {
    awaitRoots("default");
    kube.admin().configMaps().inNamespace("default").withName(RootCertPublisher.NAME).delete();
    awaitRoots("default");
  }

  @Test
  @Order(5)
  void aRotationThatAddsARootReachesEveryNamespace() throws Exception {
    int before = roots().size();
    var keys = CaCertificates.ecKeyPair("secp256r1");
    X509Certificate next = CaCertificates.root("O=signet-test,CN=next root", keys,
        Duration.ofDays(30));
    Files.writeString(dir.resolve("root-cert.pem"), Pem.encode(next),
        StandardOpenOption.APPEND);
    assertThat(roots()).hasSize(before + 1);
    awaitRoots("kube-system");
    awaitRoots("shop");
    awaitRoots("brand-new");
  }

  @Test
  @Order(6)
  void whenTheOtherReplicaTakesTheLeaseTheLeaderGaugesSwap() {
    KubeSignet leader = awaitLeader();
    KubeSignet follower = otherThan(leader);
    awaitLeaderGauges(leader, follower);
    // The follower becomes the holder, as if it had taken over an expired lease: the leader
    // cannot renew, steps down while running, and campaigns again.
    ZonedDateTime now = ZonedDateTime.now(ZoneOffset.UTC);
    kube.admin().leases().inNamespace("signet-system").withName("signet-leader").edit(lease -> {
      lease.getSpec().setHolderIdentity(follower.server.leaseIdentity().orElseThrow());
      lease.getSpec().setAcquireTime(now);
      lease.getSpec().setRenewTime(now);
      return lease;
    });
    awaitLeaderGauges(follower, leader);
    assertThat(leader.server.leading()).isFalse();
    // The new leader runs the duties.
    kube.admin().configMaps().inNamespace("shop").withName(RootCertPublisher.NAME).delete();
    awaitRoots("shop");
  }

  @Test
  @Order(7)
  void whenTheLeaderStopsTheOtherReplicaTakesOver() {
    KubeSignet leader = awaitLeader();
    KubeSignet follower = otherThan(leader);
    leader.close();
    if (leader == first) {
      first = null;
    } else {
      second = null;
    }
    Poll.until(() -> follower.server.leading(), WITHIN, "the hand-over");
    kube.admin().configMaps().inNamespace("shop").withName(RootCertPublisher.NAME).delete();
    awaitRoots("shop");
  }
}
