package dev.signet.kube;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Every pod of one cluster, kept current by a watch (a fabric8 shared informer), indexed by the
 * node it runs on and by {@code namespace/service-account}. Impersonation checks read it; no
 * request lists pods on the API server. Only the fields impersonation reads are kept of each pod
 * ({@link SlimPodStore}): the pods returned here have no labels, annotations or containers.
 */
public final class PodIndex implements AutoCloseable {
  static final String BY_NODE = "node";
  static final String BY_ACCOUNT = "serviceaccount";

  private final SharedIndexInformer<Pod> informer;

  private PodIndex(SharedIndexInformer<Pod> informer) {
    this.informer = informer;
  }

  /** Starts watching the pods of the cluster {@code client} reaches. */
  public static PodIndex start(KubernetesClient client) {
    SharedIndexInformer<Pod> informer = client.pods().inAnyNamespace().runnableInformer(0)
        .itemStore(new SlimPodStore());
    informer.addIndexers(Map.<String, Function<Pod, List<String>>>of(
        BY_NODE, pod -> {
          String node = pod.getSpec() == null ? null : pod.getSpec().getNodeName();
          return node == null || node.isEmpty() ? List.of() : List.of(node);
        },
        BY_ACCOUNT, pod -> List.of(account(pod))));
    informer.start();
    return new PodIndex(informer);
  }

  /** {@code namespace/service-account} of a pod. */
  static String account(Pod pod) {
    String sa = pod.getSpec() == null ? null : pod.getSpec().getServiceAccountName();
    return pod.getMetadata().getNamespace() + "/" + (sa == null || sa.isEmpty() ? "default" : sa);
  }

  /** True once the first full list has arrived. */
  public boolean synced() {
    return informer.hasSynced();
  }

  /** The pod {@code namespace/name}, if it exists. */
  public Optional<Pod> pod(String namespace, String name) {
    return Optional.ofNullable(informer.getIndexer().getByKey(namespace + "/" + name));
  }

  /** The pods running as {@code namespace/serviceAccount}. */
  public List<Pod> byServiceAccount(String namespace, String serviceAccount) {
    return informer.getIndexer().byIndex(BY_ACCOUNT, namespace + "/" + serviceAccount);
  }

  /** The pods scheduled onto {@code node}. */
  public List<Pod> byNode(String node) {
    return informer.getIndexer().byIndex(BY_NODE, node);
  }

  @Override
  public void close() {
    informer.close();
  }
}
