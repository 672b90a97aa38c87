package dev.signet.auth;

import dev.signet.ca.CaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.error.SignetException;
import dev.signet.spiffe.SpiffeId;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.CertificateParsingException;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Lets a workload renew with the certificate it holds: a TLS client certificate that chains to
 * this CA's roots, is valid now, is a leaf with clientAuth, and names exactly one SPIFFE ID in
 * the trust domain, proves that identity.
 */
public final class ClientCertAuthenticator implements Authenticator {
  private static final String CLIENT_AUTH = "1.3.6.1.5.5.7.3.2";

  private final CaSource ca;
  private final String trustDomain;

  public ClientCertAuthenticator(CaSource ca, String trustDomain) {
    this.ca = ca;
    this.trustDomain = trustDomain;
  }

  @Override
  public Caller authenticate(Credentials credentials) {
    List<X509Certificate> chain = credentials.peerCertificates();
    if (chain.isEmpty()) {
      throw SignetException.unauthenticated("no client certificate");
    }
    X509Certificate leaf = chain.get(0);
    validate(chain, ca.current());
    try {
      if (leaf.getBasicConstraints() >= 0) {
        throw SignetException.unauthenticated("the client certificate is a CA certificate");
      }
      List<String> eku = leaf.getExtendedKeyUsage();
      if (eku == null || !eku.contains(CLIENT_AUTH)) {
        throw SignetException.unauthenticated("the client certificate is not for clientAuth");
      }
      return new Caller(identity(leaf), "client-cert", Optional.empty());
    } catch (CertificateParsingException e) {
      throw SignetException.unauthenticated("the client certificate does not parse");
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

  private static void validate(List<X509Certificate> chain, SigningAuthority authority) {
    Set<TrustAnchor> anchors = new HashSet<>();
    authority.roots().forEach(r -> anchors.add(new TrustAnchor(r, null)));
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(new Date());
      List<X509Certificate> path = new ArrayList<>(chain);
      if (path.size() == 1) {
        // A bare leaf: complete it with this CA's own chain.
        if (!SigningAuthority.isSelfSigned(authority.certificate())) {
          path.add(authority.certificate());
        }
        path.addAll(authority.intermediates());
      }
      path.removeIf(c -> authority.roots().contains(c));
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    } catch (GeneralSecurityException e) {
      throw SignetException.unauthenticated("the client certificate was not issued by this CA "
          + "or is no longer valid");
    }
  }
}
