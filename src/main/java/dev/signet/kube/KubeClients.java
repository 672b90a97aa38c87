package dev.signet.kube;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * Builds fabric8 clients for an API server: from a kubeconfig file, or in-cluster (the pod's
 * service-account token and CA). Nothing is read from the user's home directory or from
 * system properties when a kubeconfig is named, so one process can talk to several clusters.
 */
public final class KubeClients {
  private KubeClients() {}

  /**
   * A client for one cluster.
   *
   * @param kubeconfig empty: in-cluster credentials
   * @param timeout the limit for one request (connect and answer)
   */
  public static KubernetesClient create(Optional<Path> kubeconfig, Duration timeout)
      throws IOException {
    Config base;
    if (kubeconfig.isPresent()) {
      Path file = kubeconfig.get();
      if (!Files.isReadable(file)) {
        throw new IOException("kubeconfig " + file + " cannot be read");
      }
      base = Config.fromKubeconfig(file.toFile());
    } else {
      base = Config.autoConfigure(null);
      if (base.getMasterUrl() == null || base.getMasterUrl().isBlank()) {
        throw new IOException("no kubeconfig is configured and no in-cluster credentials were "
            + "found (KUBERNETES_SERVICE_HOST, the service-account token)");
      }
    }
    int ms = (int) Math.min(Integer.MAX_VALUE, timeout.toMillis());
    Config config = new ConfigBuilder(base)
        .withRequestTimeout(ms)
        .withConnectionTimeout(ms)
        // Signet retries by itself (the caller retries UNAVAILABLE); do not stall a CSR.
        .withRequestRetryBackoffLimit(0)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }
}
