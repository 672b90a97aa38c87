package dev.signet.e2e;

import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.Poll;
import dev.signet.testing.SignetProcess;
import io.fabric8.kubernetes.api.model.coordination.v1.Lease;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * Two Signet replicas as processes with the same settings, each on a loopback address of its own
 * at port 443; both serve CSRs, the Lease holder also runs the Kubernetes duties. The first is
 * started alone and waited for until it holds the Lease, so which one leads is known. The mesh's
 * name for Signet resolves to both addresses, the leader's first, as a headless Service's DNS
 * would list them: a client whose connection to one is refused tries the next. {@link #roll}
 * replaces both with replicas of other settings, one at a time, as a rolling update does.
 */
final class SignetReplicas implements AutoCloseable {
  static final String LEASE_NAMESPACE = "signet-system";
  static final String LEASE = "signet-leader";
  private final KubeTestCluster kube;
  private final Path dir;
  private final List<String> addresses;
  /** The first started, at addresses.get(0); the other at addresses.get(1). */
  SignetProcess leader;
  SignetProcess follower;
  String leaderName;
  String followerName;

  private SignetReplicas(KubeTestCluster kube, Path dir, List<String> addresses,
      SignetProcess leader, String leaderName, SignetProcess follower, String followerName) {
    this.kube = kube;
    this.dir = dir;
    this.addresses = addresses;
    this.leader = leader;
    this.leaderName = leaderName;
    this.follower = follower;
    this.followerName = followerName;
  }

  /** Starts signet-a at {@code addresses.get(0)} and signet-b at {@code addresses.get(1)}. */
  static SignetReplicas start(KubeTestCluster kube, Path dir, List<String> addresses,
      String... settings) throws IOException {
    SignetProcess a = SignetProcess.startConfigured(dir, "signet-a", addresses.get(0), 443,
        settings);
    try {
      Poll.until(() -> holder(kube).startsWith("signet-a"), Duration.ofSeconds(60),
          "signet-a holds the Lease");
      SignetProcess b = SignetProcess.startConfigured(dir, "signet-b", addresses.get(1), 443,
          settings);
      return new SignetReplicas(kube, dir, addresses, a, "signet-a", b, "signet-b");
    } catch (IOException | RuntimeException | Error e) {
      a.close();
      throw e;
    }
  }

  /**
   * A rolling update to {@code settings}: {@code <name>-a} replaces the replica that does not
   * hold the Lease (on its address), then the holder stops, {@code <name>-a} takes the Lease,
   * and {@code <name>-b} starts on the holder's address; one replica serves throughout. The
   * new pair is this object's from then on, {@code <name>-a} as the leader.
   */
  void roll(String name, String... settings) throws IOException {
    boolean leaderHolds = holder(kube).startsWith(leaderName);
    SignetProcess holding = leaderHolds ? leader : follower;
    SignetProcess other = leaderHolds ? follower : leader;
    String holdingAddress = addresses.get(leaderHolds ? 0 : 1);
    String otherAddress = addresses.get(leaderHolds ? 1 : 0);
    other.close();
    SignetProcess a = SignetProcess.startConfigured(dir, name + "-a", otherAddress, 443,
        settings);
    leader = a;
    leaderName = name + "-a";
    holding.close();
    follower = a; // until the second one runs: close() stops each once
    Poll.until(() -> holder(kube).startsWith(name + "-a"), Duration.ofSeconds(60),
        name + "-a holds the Lease");
    follower = SignetProcess.startConfigured(dir, name + "-b", holdingAddress, 443, settings);
    followerName = name + "-b";
  }

  /** The Lease's holder identity, or "" if none. */
  static String holder(KubeTestCluster kube) {
    Lease l = kube.admin().leases().inNamespace(LEASE_NAMESPACE).withName(LEASE).get();
    return l == null || l.getSpec().getHolderIdentity() == null ? ""
        : l.getSpec().getHolderIdentity();
  }

  /** Both logs' tails, for a failure message. */
  String logTails() {
    List<String> out = new ArrayList<>();
    Stream.of(leader, follower).forEach(s -> out.add(s.logTail()));
    return "--- " + leaderName + " log:\n" + out.get(0) + "\n--- " + followerName + " log:\n"
        + out.get(1);
  }

  @Override
  public void close() {
    if (follower != leader) {
      follower.close();
    }
    leader.close();
  }
}
