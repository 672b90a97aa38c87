package dev.signet.server;

import dev.signet.ca.CaSource;
import dev.signet.config.SignetConfig;
import dev.signet.issue.LeafSigner;
import dev.signet.kube.trust.IstiodCertPublisher;
import dev.signet.kube.trust.Leadership;
import dev.signet.kube.trust.RootCertPublisher;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Clock;
import java.util.Optional;
import java.util.UUID;

/**
 * The duties Signet takes over from istiod in the local cluster (trust bundle ConfigMaps,
 * istiod's serving certificate), run only by the replica holding the Lease.
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
      LeafSigner signer) {
    if (!config.kubernetes().writes()) {
      return Optional.empty();
    }
    Optional<RootCertPublisher> publisher = config.kubernetes().trustBundle().enabled()
        ? Optional.of(new RootCertPublisher(client, ca,
            config.kubernetes().trustBundle().namespaceSelector()))
        : Optional.empty();
    Optional<IstiodCertPublisher> istiod = config.kubernetes().istiodCert().enabled()
        ? Optional.of(new IstiodCertPublisher(client, ca, signer,
            config.kubernetes().istiodCert(), config.issuance().trustDomain(),
            Clock.systemUTC()))
        : Optional.empty();
    Leadership leadership = Leadership.start(client, config.kubernetes().leaderElection(),
        config.kubernetes().namespace(), identity(),
        () -> {
          publisher.ifPresent(RootCertPublisher::start);
          istiod.ifPresent(IstiodCertPublisher::start);
        },
        () -> {
          publisher.ifPresent(RootCertPublisher::close);
          istiod.ifPresent(IstiodCertPublisher::close);
        });
    return Optional.of(new KubeDuties(publisher, istiod, leadership));
  }

  /** The CA's roots changed. */
  void rootsChanged() {
    publisher.ifPresent(RootCertPublisher::rootsChanged);
  }

  boolean leading() {
    return leadership.leading();
  }

  private static String identity() {
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
