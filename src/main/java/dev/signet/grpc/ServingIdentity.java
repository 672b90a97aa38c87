package dev.signet.grpc;

import static java.util.Objects.requireNonNull;

import dev.signet.ca.CaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.issue.IssuedCertificate;
import dev.signet.issue.LeafSigner;
import dev.signet.issue.SubjectAltNames;
import dev.signet.pki.CaCertificates;
import java.io.ByteArrayInputStream;
import java.net.Socket;
import java.security.KeyPair;
import java.security.Principal;
import java.security.PrivateKey;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.logging.Logger;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedKeyManager;

/**
 * Signet's own TLS serving certificate, issued by its CA for the configured DNS names and
 * renewed without a restart: at two thirds of its life, and whenever the CA changes. Handshakes
 * pick a generation-numbered alias, so a renewal in the middle of a handshake never pairs one
 * generation's certificate with another's key.
 */
public final class ServingIdentity extends X509ExtendedKeyManager {
  private static final Logger LOG = Logger.getLogger(ServingIdentity.class.getName());
  private static final String PREFIX = "signet-";

  private record Generation(String alias, PrivateKey key, X509Certificate[] chain,
      Instant renewAt) {}

  private final CaSource ca;
  private final LeafSigner signer;
  private final List<String> dnsNames;
  private final Duration ttl;
  private final Clock clock;
  private final AtomicLong counter = new AtomicLong();
  private final ConcurrentMap<String, Generation> generations = new ConcurrentHashMap<>();
  private volatile Generation current;

  public ServingIdentity(CaSource ca, LeafSigner signer, List<String> dnsNames, Duration ttl,
      Clock clock) {
    this.ca = requireNonNull(ca, "ca");
    this.signer = requireNonNull(signer, "signer");
    this.dnsNames = List.copyOf(dnsNames);
    this.ttl = requireNonNull(ttl, "ttl");
    this.clock = requireNonNull(clock, "clock");
    renew();
  }

  /** Issues a fresh serving certificate from the current CA. */
  public synchronized void renew() {
    SigningAuthority authority = ca.current();
    KeyPair keys = CaCertificates.ecKeyPair("secp256r1");
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = now.plus(ttl);
    if (notAfter.isAfter(authority.notAfter())) {
      notAfter = authority.notAfter();
    }
    IssuedCertificate leaf = signer.sign(authority, keys.getPublic().getEncoded(),
        new SubjectAltNames(List.of(), dnsNames), now.minus(Duration.ofMinutes(2)), notAfter);
    X509Certificate[] chain = new X509Certificate[1 + authority.intermediates().size()
        + (SigningAuthority.isSelfSigned(authority.certificate()) ? 0 : 1)];
    int i = 0;
    chain[i++] = parse(leaf.der());
    if (!SigningAuthority.isSelfSigned(authority.certificate())) {
      chain[i++] = authority.certificate();
    }
    for (X509Certificate c : authority.intermediates()) {
      chain[i++] = c;
    }
    Instant renewAt = now.plus(Duration.between(now, notAfter).multipliedBy(2).dividedBy(3));
    Generation next = new Generation(PREFIX + counter.incrementAndGet(), keys.getPrivate(), chain,
        renewAt);
    Generation previous = current;
    generations.put(next.alias(), next);
    current = next;
    if (previous != null) {
      // Keep the previous generation for handshakes already under way; drop older ones.
      generations.keySet().removeIf(a -> !a.equals(next.alias()) && !a.equals(previous.alias()));
    }
    LOG.info(() -> "serving certificate for " + dnsNames + " valid until " + leaf.notAfter()
        + " (serial " + leaf.serialHex() + ")");
  }

  /** Renews if the current certificate has passed two thirds of its life. */
  public void renewIfDue() {
    if (!clock.instant().isBefore(current.renewAt())) {
      renew();
    }
  }

  /** NotAfter of the certificate served now. */
  public Instant notAfter() {
    return current.chain()[0].getNotAfter().toInstant();
  }

  /** The certificate chain served now, leaf first. */
  public X509Certificate[] currentChain() {
    return current.chain().clone();
  }

  private static X509Certificate parse(byte[] der) {
    try {
      return (X509Certificate) CertificateFactory.getInstance("X.509")
          .generateCertificate(new ByteArrayInputStream(der));
    } catch (CertificateException e) {
      throw new IllegalStateException("Signet issued a serving certificate it cannot parse", e);
    }
  }

  @Override
  public String chooseEngineServerAlias(String keyType, Principal[] issuers, SSLEngine engine) {
    return chooseServerAlias(keyType, issuers, null);
  }

  @Override
  public String chooseServerAlias(String keyType, Principal[] issuers, Socket socket) {
    Generation g = current;
    return keyType == null || keyType.startsWith("EC") ? g.alias() : null;
  }

  @Override
  public X509Certificate[] getCertificateChain(String alias) {
    Generation g = generations.get(alias);
    return g == null ? null : g.chain().clone();
  }

  @Override
  public PrivateKey getPrivateKey(String alias) {
    Generation g = generations.get(alias);
    return g == null ? null : g.key();
  }

  @Override
  public String[] getServerAliases(String keyType, Principal[] issuers) {
    return new String[] {current.alias()};
  }

  @Override
  public String[] getClientAliases(String keyType, Principal[] issuers) {
    return null;
  }

  @Override
  public String chooseClientAlias(String[] keyType, Principal[] issuers, Socket socket) {
    return null;
  }
}
