package dev.signet.server;

import dev.signet.ca.CaSource;
import dev.signet.config.SignetConfig;
import dev.signet.issue.LeafSigner;
import dev.signet.kube.trust.IstiodCertPublisher;
import dev.signet.kube.trust.KubeWrites;
import dev.signet.kube.trust.Leadership;
import dev.signet.kube.trust.RootCertPublisher;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * The duties Signet takes over from istiod in the local cluster (trust bundle ConfigMaps,
 * istiod's serving certificate), run only by the replica holding the Lease. Meters:
 * {@code signet_leader} (1 while this replica holds the Lease) and, per enabled duty,
 * {@code signet_kube_writes_total{object,result}} ({@link KubeWrites}).
 */
final class KubeDuties implements AutoCloseable {
  private final Optional<RootCertPublisher> publisher;
  private final Optional<IstiodCertPublisher> istiod;
  private final Leadership leadership;

  private KubeDuties(Optional<RootCertPublisher> publisher, Optional<IstiodCertPublisher> istiod,
      Leadership leadership) {
    this.publisher = publisher;
    this.istiod = istiod;
    this.leadership = leadership;
  }

  /** Starts campaigning for leadership when a duty is enabled; empty otherwise. */
  static Optional<KubeDuties> start(SignetConfig config, KubernetesClient client, CaSource ca,
      LeafSigner signer, MeterRegistry registry) {
    if (!config.kubernetes().writes()) {
      return Optional.empty();
    }
    Optional<RootCertPublisher> publisher = config.kubernetes().trustBundle().enabled()
        ? Optional.of(new RootCertPublisher(client, ca,
            config.kubernetes().trustBundle().namespaceSelector(),
            new KubeWrites(registry, KubeWrites.ROOT_CERT_CONFIGMAP),
            config.kubernetes().trustBundle().name()))
        : Optional.empty();
    Optional<IstiodCertPublisher> istiod = config.kubernetes().istiodCert().enabled()
        ? Optional.of(new IstiodCertPublisher(client, ca, signer,
            config.kubernetes().istiodCert(), config.issuance().trustDomain(),
            Clock.systemUTC(), new KubeWrites(registry, KubeWrites.ISTIOD_TLS)))
        : Optional.empty();
    Leadership leadership = Leadership.start(client, config.kubernetes().leaderElection(),
        config.kubernetes().namespace(), newIdentity(),
        () -> {
          publisher.ifPresent(RootCertPublisher::start);
          istiod.ifPresent(IstiodCertPublisher::start);
        },
        () -> {
          publisher.ifPresent(RootCertPublisher::close);
          istiod.ifPresent(IstiodCertPublisher::close);
        });
    istiod.ifPresent(p -> Gauge.builder("signet.istiod.cert.expiry.timestamp", p,
            IstiodCertPublisher::expiryEpochSeconds)
        .description("NotAfter of the istiod-tls certificate this replica last found good or"
            + " wrote while leading (NaN on a replica that does not lead)")
        .baseUnit("seconds").register(registry));
    Gauge.builder("signet.leader", leadership, l -> l.leading() ? 1 : 0)
        .description("1 while this replica holds the Lease and runs the Kubernetes duties")
        .register(registry);
    return Optional.of(new KubeDuties(publisher, istiod, leadership));
  }

  /** The CA's roots changed. */
  void rootsChanged() {
    publisher.ifPresent(RootCertPublisher::rootsChanged);
  }

  boolean leading() {
    return leadership.leading();
  }

  String identity() {
    return leadership.identity();
  }

  private static String newIdentity() {
    String pod = System.getenv("POD_NAME");
    String base;
    if (pod != null && !pod.isBlank()) {
      base = pod;
    } else {
      try {
        base = InetAddress.getLocalHost().getHostName();
      } catch (UnknownHostException e) {
        base = "signet";
      }
    }
    // Unique even when two replicas share a host name (tests, host networking).
    return base + "-" + UUID.randomUUID().toString().substring(0, 8);
  }

  @Override
  public void close() {
    leadership.close();
    publisher.ifPresent(RootCertPublisher::close);
    istiod.ifPresent(IstiodCertPublisher::close);
  }
}
