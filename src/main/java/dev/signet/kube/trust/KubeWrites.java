package dev.signet.kube.trust;

import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.function.Supplier;

/**
 * {@code signet_kube_writes_total{object,result="ok|error"}}: the leader's create and update
 * attempts of one kind of object, registered only where that duty is enabled. A 409 conflict
 * counts as neither: another writer was first, and the next event or check reconciles again
 * (a failed publish is anything else, e.g. 403 from missing RBAC, 5xx, unreachable).
 */
public final class KubeWrites {
  /** Object kind of the trust bundle ConfigMaps. */
  public static final String ROOT_CERT_CONFIGMAP = "root-cert-configmap";
  /** Object kind of istiod's serving certificate Secret. */
  public static final String ISTIOD_TLS = "istiod-tls";

  private final Counter ok;
  private final Counter error;

  public KubeWrites(MeterRegistry registry, String object) {
    ok = counter(registry, object, "ok");
    error = counter(registry, object, "error");
  }

  private static Counter counter(MeterRegistry registry, String object, String result) {
    return Counter.builder("signet.kube.writes")
        .description("Creates and updates of Kubernetes objects by the leader, by result "
            + "(409 conflicts, retried, are not counted)")
        .tag("object", object).tag("result", result).register(registry);
  }

  /** Runs one create or update, counts its result, and returns or rethrows what it did. */
  <T> T attempt(Supplier<T> write) {
    T written;
    try {
      written = write.get();
    } catch (KubernetesClientException e) {
      if (e.getCode() != 409) {
        error.increment();
      }
      throw e;
    } catch (RuntimeException e) {
      error.increment();
      throw e;
    }
    ok.increment();
    return written;
  }
}
