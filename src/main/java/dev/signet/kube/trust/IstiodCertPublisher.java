package dev.signet.kube.trust;

import dev.signet.ca.CaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.concurrent.DaemonThreads;
import dev.signet.config.SignetConfig.IstiodCert;
import dev.signet.issue.IssuedCertificate;
import dev.signet.issue.LeafSigner;
import dev.signet.issue.SubjectAltNames;
import dev.signet.pki.CaCertificates;
import dev.signet.pki.Pem;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * istiod's serving certificate in Secret {@code istiod-tls} ({@code tls.crt} leaf + chain,
 * {@code tls.key}, {@code ca.crt} root bundle), the way istiod expects it when its own CA is off:
 * DNS names {@code istiod[-<rev>].<ns>.svc} for every revision (plus configured extra names) and
 * the istiod SPIFFE IDs. Checked every
 * {@link #CHECK_INTERVAL}; reissued when missing, unreadable, for other names, from another
 * CA, or past two thirds of its life. The key is generated here and only ever written to the
 * Secret. Run it only on the leader.
 */
public final class IstiodCertPublisher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(IstiodCertPublisher.class.getName());
  public static final String SECRET = "istiod-tls";
  /** The revision Istio calls "default": the istiod installed without one (no name suffix). */
  public static final String DEFAULT_REVISION = "default";
  static final Duration CHECK_INTERVAL = Duration.ofSeconds(5);

  private final KubernetesClient client;
  private final CaSource ca;
  private final LeafSigner signer;
  private final IstiodCert config;
  private final String trustDomain;
  private final Clock clock;
  private final KubeWrites writes;
  private ScheduledExecutorService timer;
  /** NotAfter (epoch seconds) of the certificate last verified or written; NaN when not leading. */
  private volatile double expiry = Double.NaN;

  public IstiodCertPublisher(KubernetesClient client, CaSource ca, LeafSigner signer,
      IstiodCert config, String trustDomain, Clock clock, KubeWrites writes) {
    this.client = client;
    this.ca = ca;
    this.signer = signer;
    this.config = config;
    this.trustDomain = trustDomain;
    this.clock = clock;
    this.writes = writes;
  }

  /**
   * The DNS names on istiod's certificate: {@code istiod.<ns>.svc}, {@code istiod-<rev>.<ns>.svc}
   * for every revision but {@link #DEFAULT_REVISION}, then the configured extra names.
   */
  public List<String> dnsNames() {
    List<String> names = new ArrayList<>();
    names.add("istiod." + config.namespace() + ".svc");
    for (String rev : config.revisions()) {
      String name = istiod(rev) + "." + config.namespace() + ".svc";
      if (!names.contains(name)) {
        names.add(name);
      }
    }
    config.dnsNames().stream().filter(n -> !names.contains(n)).forEach(names::add);
    return names;
  }

  /**
   * istiod's SPIFFE IDs: of service account {@code istiod} (no revision, or
   * {@link #DEFAULT_REVISION} among them) and {@code istiod-<rev>} for every other revision.
   */
  public List<String> spiffeIds() {
    List<String> revisions = config.revisions().isEmpty() ? List.of(DEFAULT_REVISION)
        : config.revisions();
    return revisions.stream().map(r -> spiffeId(istiod(r))).distinct().toList();
  }

  /** istiod's Service and service account name for a revision. */
  private static String istiod(String revision) {
    return revision.equals(DEFAULT_REVISION) ? "istiod" : "istiod-" + revision;
  }

  private String spiffeId(String serviceAccount) {
    return "spiffe://" + trustDomain + "/ns/" + config.namespace() + "/sa/" + serviceAccount;
  }

  /**
   * NotAfter, in seconds since the epoch, of the istiod-tls certificate this replica last found
   * good or wrote while checking; NaN before the first check and once stopped (a replica that
   * does not lead does not know it).
   */
  public double expiryEpochSeconds() {
    return expiry;
  }

  /** Starts checking the Secret. */
  public synchronized void start() {
    if (timer != null) {
      return;
    }
    timer = Executors.newSingleThreadScheduledExecutor(DaemonThreads.named("signet-istiod-cert"));
    timer.scheduleWithFixedDelay(this::checkQuietly, 0, CHECK_INTERVAL.toMillis(),
        TimeUnit.MILLISECONDS);
  }

  private void checkQuietly() {
    try {
      check();
    } catch (KubernetesClientException e) {
      LOG.log(Level.WARNING, "cannot read or write " + config.namespace() + "/" + SECRET
          + " (HTTP " + e.getCode() + "); will retry", e);
    } catch (RuntimeException e) {
      LOG.log(Level.WARNING, "istiod certificate check failed; will retry", e);
    }
  }

  /** Reissues the certificate if the Secret does not hold a good one. */
  void check() {
    SigningAuthority authority = ca.current();
    Secret existing = client.secrets().inNamespace(config.namespace()).withName(SECRET).get();
    if (existing != null && current(existing, authority)) {
      return;
    }
    expire(Double.NaN);
    KeyPair keys = CaCertificates.ecKeyPair("secp256r1");
    IssuedCertificate leaf = issue(authority, keys.getPublic());
    // tls.crt: the leaf and what is above it, without the roots (those are ca.crt).
    StringBuilder chain = new StringBuilder(leaf.pem());
    if (!SigningAuthority.isSelfSigned(authority.certificate())) {
      chain.append(Pem.encode(authority.certificate()));
    }
    for (X509Certificate c : authority.intermediates()) {
      chain.append(Pem.encode(c));
    }
    Secret desired = new SecretBuilder().withNewMetadata().withName(SECRET)
        .withNamespace(config.namespace()).endMetadata()
        .withType("kubernetes.io/tls")
        .withData(Map.of(
            "tls.crt", b64(chain.toString()),
            "tls.key", b64(Pem.encode("PRIVATE KEY", keys.getPrivate().getEncoded())),
            "ca.crt", b64(authority.rootBundle())))
        .build();
    if (existing == null) {
      writes.attempt(() -> client.secrets().inNamespace(config.namespace()).resource(desired)
          .create());
    } else {
      desired.getMetadata().setResourceVersion(existing.getMetadata().getResourceVersion());
      writes.attempt(() -> client.secrets().inNamespace(config.namespace()).resource(desired)
          .update());
    }
    expire(leaf.notAfter().getEpochSecond());
    LOG.info(() -> "wrote " + config.namespace() + "/" + SECRET + " for " + dnsNames()
        + " valid until " + leaf.notAfter() + " (serial " + leaf.serialHex() + ")");
  }

  /**
   * istiod's certificate for {@code key} from {@code authority}: its DNS names and SPIFFE ID,
   * from two minutes ago for the configured lifetime, ending no later than the CA.
   */
  public IssuedCertificate issue(SigningAuthority authority, PublicKey key) {
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = now.plus(config.ttl());
    if (notAfter.isAfter(authority.notAfter())) {
      notAfter = authority.notAfter();
    }
    return signer.sign(authority, key.getEncoded(),
        new SubjectAltNames(spiffeIds(), dnsNames()), now.minus(Duration.ofMinutes(2)),
        notAfter);
  }

  /** True when the Secret holds a certificate for our names, from this CA, not yet due. */
  private boolean current(Secret s, SigningAuthority authority) {
    Map<String, String> data = s.getData();
    if (data == null || data.get("tls.crt") == null || data.get("tls.key") == null) {
      return false;
    }
    try {
      List<X509Certificate> chain = Pem.certificates(
          new String(Base64.getDecoder().decode(data.get("tls.crt")), StandardCharsets.US_ASCII));
      X509Certificate leaf = chain.get(0);
      PublicKey caKey = authority.certificate().getPublicKey();
      leaf.verify(caKey);
      Instant from = leaf.getNotBefore().toInstant();
      Instant to = leaf.getNotAfter().toInstant();
      Instant renewAt = from.plus(Duration.between(from, to).multipliedBy(2).dividedBy(3));
      if (!clock.instant().isBefore(renewAt)) {
        return false;
      }
      if (!new String(Base64.getDecoder().decode(
          data.getOrDefault("ca.crt", "")), StandardCharsets.US_ASCII)
          .equals(authority.rootBundle())) {
        return false;
      }
      List<String> names = new ArrayList<>();
      Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
      if (sans != null) {
        sans.forEach(san -> names.add(String.valueOf(san.get(1))));
      }
      List<String> wanted = new ArrayList<>(dnsNames());
      wanted.addAll(spiffeIds());
      if (names.size() != wanted.size() || !names.containsAll(wanted)) {
        return false;
      }
      expire(to.getEpochSecond());
      return true;
    } catch (Exception e) {
      return false;
    }
  }

  /** Records what the gauge shows, unless stopped: a check still running then is not news. */
  private synchronized void expire(double epochSeconds) {
    if (timer != null) {
      expiry = epochSeconds;
    }
  }

  private static String b64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  @Override
  public synchronized void close() {
    if (timer != null) {
      timer.shutdownNow();
      timer = null;
    }
    expiry = Double.NaN;
  }
}
