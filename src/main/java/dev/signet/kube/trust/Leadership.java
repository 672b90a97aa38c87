package dev.signet.kube.trust;

import dev.signet.concurrent.DaemonThreads;
import dev.signet.config.SignetConfig.LeaderElection;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderCallbacks;
import io.fabric8.kubernetes.client.extended.leaderelection.LeaderElectionConfigBuilder;
import io.fabric8.kubernetes.client.extended.leaderelection.resourcelock.LeaseLock;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Kubernetes Lease leader election among Signet replicas (fabric8's LeaderElector). Only the
 * leader runs the writing duties ({@code onStart}); every replica keeps serving CSRs. A replica
 * that loses the lease stops its duties ({@code onStop}) and campaigns again; closing releases
 * the lease so another replica takes over without waiting for it to expire.
 */
public final class Leadership implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(Leadership.class.getName());

  private final KubernetesClient client;
  private final LeaderElection config;
  private final String namespace;
  private final String identity;
  private final Runnable onStart;
  private final Runnable onStop;
  private final ScheduledExecutorService restarts = Executors.newSingleThreadScheduledExecutor(
      DaemonThreads.named("signet-leader-election"));
  private volatile boolean leading;
  private volatile boolean closed;
  private CompletableFuture<?> running;

  private Leadership(KubernetesClient client, LeaderElection config, String namespace,
      String identity, Runnable onStart, Runnable onStop) {
    this.client = client;
    this.config = config;
    this.namespace = namespace;
    this.identity = identity;
    this.onStart = onStart;
    this.onStop = onStop;
  }

  /** Starts campaigning for the Lease {@code namespace/config.leaseName()}. */
  public static Leadership start(KubernetesClient client, LeaderElection config,
      String namespace, String identity, Runnable onStart, Runnable onStop) {
    Leadership l = new Leadership(client, config, namespace, identity, onStart, onStop);
    l.campaign();
    return l;
  }

  private synchronized void campaign() {
    if (closed) {
      return;
    }
    running = client.leaderElector().withConfig(new LeaderElectionConfigBuilder()
        .withName(config.leaseName())
        .withLock(new LeaseLock(namespace, config.leaseName(), identity))
        .withLeaseDuration(config.leaseDuration())
        .withRenewDeadline(config.renewDeadline())
        .withRetryPeriod(config.retryPeriod())
        .withReleaseOnCancel(true)
        .withLeaderCallbacks(new LeaderCallbacks(this::started, this::stopped,
            leader -> LOG.info(() -> "leader of " + namespace + "/" + config.leaseName() + ": "
                + leader)))
        .build()).build().start();
    running.whenComplete((v, e) -> {
      if (!closed) {
        // Lost the lease (or the API server failed us): campaign again after a pause.
        restarts.schedule(this::campaign, config.retryPeriod().toMillis(),
            TimeUnit.MILLISECONDS);
      }
    });
  }

  private void started() {
    LOG.info(() -> identity + " is the leader: running the Kubernetes duties");
    leading = true;
    onStart.run();
  }

  private void stopped() {
    if (leading) {
      LOG.info(() -> identity + " is no longer the leader: stopping the Kubernetes duties");
    }
    leading = false;
    onStop.run();
  }

  /** True while this replica holds the lease. */
  public boolean leading() {
    return leading;
  }

  /** This replica's identity in the Lease. */
  public String identity() {
    return identity;
  }

  @Override
  public void close() {
    CompletableFuture<?> r;
    synchronized (this) {
      closed = true;
      r = running;
    }
    if (r != null) {
      r.cancel(true);
    }
    restarts.shutdownNow();
    if (leading) {
      stopped();
    }
  }
}
