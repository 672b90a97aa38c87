package dev.signet.e2e;

import dev.signet.pki.Pem;
import java.io.IOException;
import java.nio.file.Files;
import java.security.GeneralSecurityException;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;

/**
 * The certificate chain a pilot-agent wrote for its application (OUTPUT_CERTS cert-chain.pem),
 * read once: the leaf, then the CAs Signet returned with it.
 */
record AgentCerts(List<X509Certificate> chain) {
  static AgentCerts of(ProxylessAgent agent) throws IOException, GeneralSecurityException {
    return new AgentCerts(Pem.certificates(Files.readString(
        agent.outputCerts().resolve("cert-chain.pem"))));
  }

  X509Certificate leaf() {
    return chain.get(0);
  }

  /** The certificate the chain names as the leaf's issuer (the signing CA). */
  X509Certificate signing() {
    return chain.get(1);
  }

  /**
   * The key identifier of the CA key that signed the leaf (its authority key identifier), in hex
   * as echo-client prints it: signing CAs that share a subject (renewals) differ here.
   */
  String issuerKey() {
    return HexFormat.of().formatHex(AuthorityKeyIdentifier.getInstance(octets(leaf(),
        Extension.authorityKeyIdentifier.getId())).getKeyIdentifierObject().getOctets());
  }

  /** The subject key identifier of {@code ca}, in hex. */
  static String keyId(X509Certificate ca) {
    return HexFormat.of().formatHex(SubjectKeyIdentifier.getInstance(octets(ca,
        Extension.subjectKeyIdentifier.getId())).getKeyIdentifier());
  }

  /**
   * Checks the chain as a TLS peer does (PKIX: every signature, validity now, CA constraints and
   * path lengths) up to {@code root}, the mesh's trust anchor; a chain that mixes the old and the
   * new signing CA fails here. Throws with the reason.
   */
  void verify(X509Certificate root) throws GeneralSecurityException {
    List<X509Certificate> path = new ArrayList<>(chain);
    path.removeIf(root::equals); // the anchor is not part of the path
    PKIXParameters p = new PKIXParameters(Set.of(new TrustAnchor(root, null)));
    p.setRevocationEnabled(false);
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(path), p);
  }

  /** Whether {@link #verify} passes. */
  boolean verifiesTo(X509Certificate root) {
    try {
      verify(root);
      return true;
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  private static byte[] octets(X509Certificate cert, String oid) {
    byte[] ext = cert.getExtensionValue(oid);
    if (ext == null) {
      throw new IllegalStateException(cert.getSubjectX500Principal() + " has no " + oid);
    }
    return ASN1OctetString.getInstance(ext).getOctets();
  }
}
