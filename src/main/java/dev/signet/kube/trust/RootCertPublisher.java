package dev.signet.kube.trust;

import dev.signet.ca.CaSource;
import dev.signet.concurrent.DaemonThreads;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Namespace;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Keeps ConfigMap {@code istio-ca-root-cert} (or the name Istio's {@code global.trustBundleName}
 * gives it; key {@code root-cert.pem}, label
 * {@code istio.io/config: "true"}) equal to the CA's root bundle in every selected namespace,
 * as istiod does when it runs the CA: created for new namespaces, repaired after an edit or a
 * deletion, rewritten everywhere when the roots change, and re-checked on every informer
 * resync. Writes happen on one worker thread, one namespace at a time, never on a watch thread.
 * Run it only on the leader ({@link #start()} / {@link #close()}).
 */
public final class RootCertPublisher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(RootCertPublisher.class.getName());
  /** The ConfigMap's name unless Istio's global.trustBundleName renames it. */
  public static final String NAME = "istio-ca-root-cert";
  public static final String KEY = "root-cert.pem";
  public static final Map<String, String> LABELS = Map.of("istio.io/config", "true");
  private static final long RESYNC_MILLIS = 60_000;

  private final KubernetesClient client;
  private final CaSource ca;
  private final String namespaceSelector;
  private final KubeWrites writes;
  private final String name;
  private final Set<String> pending = ConcurrentHashMap.newKeySet();
  private ExecutorService worker;
  private SharedIndexInformer<Namespace> namespaces;
  private SharedIndexInformer<ConfigMap> configMaps;

  /**
   * @param namespaceSelector a label selector; empty selects every namespace
   * @param writes counts the creates and updates
   * @param name the ConfigMap's name ({@link #NAME} unless Istio's trustBundleName is set)
   */
  public RootCertPublisher(KubernetesClient client, CaSource ca, String namespaceSelector,
      KubeWrites writes, String name) {
    this.client = client;
    this.ca = ca;
    this.namespaceSelector = namespaceSelector;
    this.writes = writes;
    this.name = name;
  }

  /** Starts watching namespaces and the ConfigMaps, and reconciling. */
  public synchronized void start() {
    if (worker != null) {
      return;
    }
    worker = Executors.newSingleThreadExecutor(DaemonThreads.named("signet-root-cert-publisher"));
    var nsOps = namespaceSelector.isEmpty() ? client.namespaces()
        : client.namespaces().withLabelSelector(namespaceSelector);
    namespaces = nsOps.inform(handler(Namespace.class), RESYNC_MILLIS);
    configMaps = client.configMaps().inAnyNamespace().withField("metadata.name", name)
        .inform(handler(ConfigMap.class), RESYNC_MILLIS);
    LOG.info("publishing " + name + " into " + (namespaceSelector.isEmpty() ? "every namespace"
        : "namespaces matching '" + namespaceSelector + "'"));
  }

  /** The roots changed: rewrite every selected namespace. */
  public void rootsChanged() {
    SharedIndexInformer<Namespace> ns = namespaces;
    if (ns != null) {
      ns.getStore().list().forEach(n -> enqueue(n.getMetadata().getName()));
    }
  }

  private <T extends io.fabric8.kubernetes.api.model.HasMetadata> ResourceEventHandler<T>
      handler(Class<T> type) {
    return new ResourceEventHandler<>() {
      @Override
      public void onAdd(T obj) {
        enqueue(namespaceOf(obj));
      }

      @Override
      public void onUpdate(T oldObj, T newObj) {
        enqueue(namespaceOf(newObj));
      }

      @Override
      public void onDelete(T obj, boolean deletedFinalStateUnknown) {
        if (!(obj instanceof Namespace)) {
          enqueue(namespaceOf(obj));
        }
      }
    };
  }

  private static String namespaceOf(io.fabric8.kubernetes.api.model.HasMetadata obj) {
    return obj instanceof Namespace ? obj.getMetadata().getName()
        : obj.getMetadata().getNamespace();
  }

  private synchronized void enqueue(String namespace) {
    if (worker == null || namespace == null || !pending.add(namespace)) {
      return;
    }
    worker.execute(() -> {
      pending.remove(namespace);
      reconcile(namespace);
    });
  }

  private void reconcile(String namespace) {
    SharedIndexInformer<Namespace> ns = namespaces;
    Namespace n = ns == null ? null : ns.getStore().getByKey(namespace);
    if (n == null || n.getMetadata().getDeletionTimestamp() != null) {
      return; // not selected, or going away
    }
    String roots = ca.current().rootBundle();
    ConfigMap existing = configMaps.getStore().getByKey(namespace + "/" + name);
    if (existing != null && roots.equals(data(existing))
        && labelled(existing)) {
      return;
    }
    ConfigMap desired = new ConfigMapBuilder().withNewMetadata().withName(name)
        .withNamespace(namespace).withLabels(LABELS).endMetadata()
        .withData(Map.of(KEY, roots)).build();
    try {
      if (existing == null) {
        writes.attempt(() -> client.configMaps().inNamespace(namespace).resource(desired)
            .create());
        LOG.info(() -> "created " + namespace + "/" + name);
      } else {
        writes.attempt(() -> client.configMaps().inNamespace(namespace).withName(name)
            .edit(cm -> {
              cm.setData(new java.util.HashMap<>(
                  Objects.requireNonNullElse(cm.getData(), Map.of())));
              cm.getData().put(KEY, roots);
              cm.getMetadata().setLabels(new java.util.HashMap<>(
                  Objects.requireNonNullElse(cm.getMetadata().getLabels(), Map.of())));
              cm.getMetadata().getLabels().putAll(LABELS);
              return cm;
            }));
        LOG.info(() -> "updated " + namespace + "/" + name);
      }
    } catch (KubernetesClientException e) {
      // 409 (created or changed meanwhile) and transient errors: the watch event that follows,
      // or the next resync, brings us back here.
      LOG.log(e.getCode() == 409 ? Level.FINE : Level.WARNING,
          "cannot write " + namespace + "/" + name + " (HTTP " + e.getCode() + "); will retry", e);
    }
  }

  private static String data(ConfigMap cm) {
    return cm.getData() == null ? null : cm.getData().get(KEY);
  }

  private static boolean labelled(ConfigMap cm) {
    Map<String, String> l = cm.getMetadata().getLabels();
    return l != null && "true".equals(l.get("istio.io/config"));
  }

  /** Stops watching and writing; what was written stays. */
  @Override
  public synchronized void close() {
    if (namespaces != null) {
      namespaces.close();
      namespaces = null;
    }
    if (configMaps != null) {
      configMaps.close();
      configMaps = null;
    }
    if (worker != null) {
      worker.shutdownNow();
      worker = null;
    }
    pending.clear();
  }
}
