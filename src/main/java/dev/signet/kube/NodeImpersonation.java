package dev.signet.kube;

import dev.signet.auth.Caller;
import dev.signet.auth.Impersonation;
import dev.signet.error.SignetException;
import dev.signet.spiffe.SpiffeId;
import io.fabric8.kubernetes.api.model.Pod;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Istio's node authorizer for ambient mode: a trusted node agent (ztunnel) may get a certificate
 * for a workload only when the agent's own pod (name and UID from its TokenReview) exists with
 * that UID and runs as the agent's service account, and a pod of the requested service account
 * that has not failed runs on the same node. Everything is read from {@link PodIndex}.
 */
public final class NodeImpersonation implements Impersonation {
  private final Set<String> trustedAccounts;
  private final String trustDomain;
  private final Map<String, PodIndex> indexes;
  private final String localId;

  /**
   * @param trustedAccounts {@code namespace/service-account} entries
   * @param indexes pod indexes by cluster id (the local one under {@code localId})
   */
  public NodeImpersonation(List<String> trustedAccounts, String trustDomain,
      Map<String, PodIndex> indexes, String localId) {
    this.trustedAccounts = Set.copyOf(trustedAccounts);
    this.trustDomain = trustDomain;
    this.indexes = Map.copyOf(indexes);
    this.localId = localId;
  }

  @Override
  public Caller impersonate(Caller caller, String clusterId, String requested) {
    SpiffeId self = caller.identity();
    String account = self.namespace() + "/" + self.serviceAccount();
    if (!trustedAccounts.contains(account)) {
      throw refuse("'" + account + "' is not a trusted node account (auth.trusted-node-accounts)"
          + " and may not ask for " + METADATA_KEY);
    }
    SpiffeId target;
    try {
      target = SpiffeId.parse(requested);
    } catch (IllegalArgumentException e) {
      throw refuse(METADATA_KEY + " '" + requested + "' is not a SPIFFE ID: " + e.getMessage());
    }
    if (!target.trustDomain().equals(trustDomain)) {
      throw refuse(METADATA_KEY + " is in trust domain '" + target.trustDomain()
          + "', not this CA's '" + trustDomain + "'");
    }
    if (caller.pod().isEmpty() || caller.podUid().isEmpty()) {
      throw refuse("the node agent's token is not bound to a pod (no pod-name/pod-uid in its "
          + "TokenReview); ztunnel must send a pod-bound projected token");
    }
    PodIndex index = indexes.get(clusterId.isEmpty() ? localId : clusterId);
    if (index == null) {
      throw refuse("impersonation needs the pods of cluster '" + clusterId + "', which this "
          + "Signet does not watch (it needs auth kind tokenreview)");
    }
    if (!index.synced()) {
      throw SignetException.unavailable("the pod list of cluster '" + clusterId
          + "' is still loading; retry", null);
    }
    String podName = caller.pod().get();
    Optional<Pod> agent = index.pod(self.namespace(), podName);
    if (agent.isEmpty() || !caller.podUid().get().equals(agent.get().getMetadata().getUid())) {
      throw refuse("the node agent's pod " + self.namespace() + "/" + podName
          + " does not exist with the UID its token is bound to");
    }
    if (!PodIndex.account(agent.get()).equals(account)) {
      throw refuse("the node agent's pod " + self.namespace() + "/" + podName
          + " does not run as " + account);
    }
    String node = agent.get().getSpec().getNodeName();
    if (node == null || node.isEmpty()) {
      throw refuse("the node agent's pod " + self.namespace() + "/" + podName
          + " is not on a node");
    }
    boolean onNode = false;
    for (Pod p : index.byServiceAccount(target.namespace(), target.serviceAccount())) {
      if (node.equals(p.getSpec().getNodeName()) && !failed(p)) {
        onNode = true;
        break;
      }
    }
    if (!onNode) {
      throw refuse("no running pod of service account " + target.namespace() + "/"
          + target.serviceAccount() + " is on node '" + node + "', where the node agent runs");
    }
    // The node agent's proof is the impersonated identity's: never fresher than its own.
    return new Caller(target, caller.method() + " impersonated-by=" + account, Optional.empty(),
        Optional.empty(), caller.proofTime());
  }

  private static boolean failed(Pod p) {
    return p.getStatus() != null && "Failed".equals(p.getStatus().getPhase());
  }

  private static SignetException refuse(String why) {
    return SignetException.unauthenticated("impersonation refused: " + why);
  }
}
