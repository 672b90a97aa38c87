package dev.signet.kube;

import io.fabric8.kubernetes.api.model.ObjectMeta;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodSpec;
import io.fabric8.kubernetes.api.model.PodStatus;
import io.fabric8.kubernetes.client.informers.cache.ItemStore;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;

/**
 * The pod informer's store, keeping of each pod only what {@link NodeImpersonation} and the
 * informer need: namespace, name, UID and resource version; node name and service account; phase.
 * Labels, annotations, containers, volumes and conditions (most of a pod's size) are dropped as
 * each pod arrives, so a large cluster's pod list does not sit in Signet's heap. Reads return the
 * slim pods themselves, with no conversion.
 */
final class SlimPodStore implements ItemStore<Pod> {
  private final ConcurrentHashMap<String, Pod> pods = new ConcurrentHashMap<>();

  /** The fields kept of {@code pod}. */
  static Pod slim(Pod pod) {
    ObjectMeta m = pod.getMetadata();
    ObjectMeta meta = new ObjectMeta();
    meta.setNamespace(m.getNamespace());
    meta.setName(m.getName());
    meta.setUid(m.getUid());
    meta.setResourceVersion(m.getResourceVersion());
    PodSpec spec = new PodSpec();
    if (pod.getSpec() != null) {
      spec.setNodeName(pod.getSpec().getNodeName());
      spec.setServiceAccountName(pod.getSpec().getServiceAccountName());
    }
    PodStatus status = new PodStatus();
    if (pod.getStatus() != null) {
      status.setPhase(pod.getStatus().getPhase());
    }
    Pod out = new Pod();
    out.setMetadata(meta);
    out.setSpec(spec);
    out.setStatus(status);
    return out;
  }

  @Override
  public String getKey(Pod pod) {
    String ns = pod.getMetadata().getNamespace();
    String name = pod.getMetadata().getName();
    return ns == null || ns.isEmpty() ? name : ns + "/" + name;
  }

  @Override
  public Pod put(String key, Pod pod) {
    return pods.put(key, slim(pod));
  }

  @Override
  public Pod remove(String key) {
    return pods.remove(key);
  }

  @Override
  public Stream<String> keySet() {
    return pods.keySet().stream();
  }

  @Override
  public Stream<Pod> values() {
    return pods.values().stream();
  }

  @Override
  public int size() {
    return pods.size();
  }

  @Override
  public Pod get(String key) {
    return pods.get(key);
  }

  /** Pods here are partial: the informer must not hand them out as complete objects. */
  @Override
  public boolean isFullState() {
    return false;
  }
}
