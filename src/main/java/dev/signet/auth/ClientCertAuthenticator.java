package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import dev.signet.ca.CaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.error.SignetException;
import dev.signet.pki.ProofTime;
import dev.signet.spiffe.SpiffeId;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * Lets a workload renew with the certificate it holds. The TLS client certificate (the leaf; any
 * chain sent with it is ignored) proves its identity when:
 *
 * <ul>
 *   <li>Signet issued it: its signature verifies with the key of the current signing
 *       certificate, or of one replaced less than {@code maxLeafTtl} ago (remembered in memory
 *       from the rotation on; a restart forgets it), whose subject is the leaf's issuer;
 *   <li>it is valid now, is not a CA, is for clientAuth and names exactly one SPIFFE ID, in the
 *       trust domain;
 *   <li>the token proof it descends from ({@link ProofTime}) is younger than {@code maxAge}.
 * </ul>
 *
 * The caller carries that proof time, so the next leaf carries it forward: without a new token,
 * an identity lasts at most {@code maxAge} after its last token proof.
 */
public final class ClientCertAuthenticator implements Authenticator {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";
  private static final String NOT_ISSUED = "the client certificate was not issued by this CA's "
      + "signing certificate or is no longer valid";

  private final CaSource ca;
  private final String trustDomain;
  private final Duration maxAge;
  private final Duration maxLeafTtl;
  private final Clock clock;
  /** The signing certificate last seen as current (null before the first). */
  private volatile X509Certificate current;
  /** Signing certificates replaced less than maxLeafTtl ago, newest first. */
  private volatile List<Retired> retired = List.of();

  /** A signing certificate that was replaced, and until when its leaves are accepted. */
  private record Retired(X509Certificate certificate, PublicKey key, Instant until) {}

  /**
   * @param maxAge how long after its last token proof an identity may still renew
   *     ({@code auth.client-cert.max-age})
   * @param maxLeafTtl how long leaves of a replaced signing certificate are still accepted
   *     ({@code issuance.max-ttl}: none of its leaves lives longer)
   */
  public ClientCertAuthenticator(CaSource ca, String trustDomain, Duration maxAge,
      Duration maxLeafTtl, Clock clock) {
    this.ca = requireNonNull(ca, "ca");
    this.trustDomain = requireNonNull(trustDomain, "trustDomain");
    this.maxAge = requireNonNull(maxAge, "maxAge");
    this.maxLeafTtl = requireNonNull(maxLeafTtl, "maxLeafTtl");
    this.clock = requireNonNull(clock, "clock");
    try {
      this.current = ca.current().certificate();
    } catch (SignetException noCaYet) {
      this.current = null; // the first authority seen retires nothing
    }
  }

  /** The refusal of a renewal whose token proof is {@code maxAge} old or older. */
  public static SignetException proofTooOld(Instant proofTime) {
    return SignetException.unauthenticated("this identity was last proved with a token at "
        + proofTime + ", longer ago than auth.client-cert.max-age allows renewing with a "
        + "certificate; authenticate with a service-account token");
  }

  /**
   * Tells this authenticator that {@code next} is now the signing authority, so the one it
   * replaces keeps its leaves renewable for {@code maxLeafTtl}. Requests notice a change too;
   * this hook dates the replacement when it happens rather than at the next renewal.
   */
  public void caChanged(SigningAuthority next) {
    observe(next.certificate(), clock.instant());
  }

  private void observe(X509Certificate now, Instant at) {
    if (now == current) {
      return;
    }
    synchronized (this) {
      X509Certificate previous = current;
      if (previous == null || now.equals(previous)) {
        current = now;
        return;
      }
      List<Retired> next = new ArrayList<>();
      next.add(new Retired(previous, previous.getPublicKey(), at.plus(maxLeafTtl)));
      for (Retired r : retired) {
        if (r.until().isAfter(at) && !r.certificate().equals(now)) {
          next.add(r);
        }
      }
      retired = List.copyOf(next);
      current = now;
    }
  }

  @Override
  public boolean answersAtOnce(Credentials credentials) {
    return true; // checked against certificates in memory
  }

  @Override
  public Caller authenticate(Credentials credentials) {
    List<X509Certificate> chain = credentials.peerCertificates();
    if (chain.isEmpty()) {
      throw SignetException.unauthenticated("no client certificate");
    }
    X509Certificate leaf = chain.get(0);
    Instant now = clock.instant();
    SigningAuthority authority = ca.current();
    observe(authority.certificate(), now);
    if (!issuedBy(leaf, authority.certificate(), authority.certificate().getPublicKey())
        && !issuedByRetired(leaf, now)) {
      throw SignetException.unauthenticated(NOT_ISSUED);
    }
    try {
      leaf.checkValidity(Date.from(now));
    } catch (GeneralSecurityException e) {
      throw SignetException.unauthenticated(NOT_ISSUED);
    }
    SpiffeId identity;
    try {
      if (leaf.getBasicConstraints() >= 0) {
        throw SignetException.unauthenticated("the client certificate is a CA certificate");
      }
      List<String> eku = leaf.getExtendedKeyUsage();
      if (eku == null || !eku.contains(CLIENT_AUTH)) {
        throw SignetException.unauthenticated("the client certificate is not for clientAuth");
      }
      identity = identity(leaf);
    } catch (CertificateParsingException e) {
      throw SignetException.unauthenticated("the client certificate does not parse");
    }
    Instant proof;
    try {
      proof = ProofTime.of(leaf);
    } catch (IllegalArgumentException e) {
      throw SignetException.unauthenticated("the client certificate does not parse");
    }
    if (!now.isBefore(proof.plus(maxAge))) {
      throw proofTooOld(proof);
    }
    return new Caller(identity, "client-cert", Optional.empty(), Optional.empty(),
        Optional.of(proof));
  }

  private boolean issuedByRetired(X509Certificate leaf, Instant now) {
    for (Retired r : retired) {
      if (r.until().isAfter(now) && issuedBy(leaf, r.certificate(), r.key())) {
        return true;
      }
    }
    return false;
  }

  /** The leaf names {@code signing} as its issuer and its signature verifies with its key. */
  private static boolean issuedBy(X509Certificate leaf, X509Certificate signing, PublicKey key) {
    if (!leaf.getIssuerX500Principal().equals(signing.getSubjectX500Principal())) {
      return false;
    }
    try {
      leaf.verify(key);
      return true;
    } catch (GeneralSecurityException | RuntimeException e) {
      return false;
    }
  }

  private SpiffeId identity(X509Certificate leaf) throws CertificateParsingException {
    Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
    List<String> uris = new ArrayList<>();
    if (sans != null) {
      for (List<?> san : sans) {
        if (Integer.valueOf(6).equals(san.get(0))) {
          uris.add(String.valueOf(san.get(1)));
        }
      }
    }
    if (uris.size() != 1) {
      throw SignetException.unauthenticated("the client certificate must name exactly one "
          + "spiffe:// URI, it names " + uris.size());
    }
    SpiffeId id;
    try {
      id = SpiffeId.parse(uris.get(0));
    } catch (IllegalArgumentException e) {
      throw SignetException.unauthenticated("the client certificate's URI is not a workload "
          + "SPIFFE ID: " + e.getMessage());
    }
    if (!id.trustDomain().equals(trustDomain)) {
      throw SignetException.unauthenticated("the client certificate is for trust domain "
          + id.trustDomain() + ", not " + trustDomain);
    }
    return id;
  }
}
