package dev.signet.ca;

import static java.util.Objects.requireNonNull;

import dev.signet.pki.Der;
import dev.signet.pki.Pem;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.cert.X509Certificate;
import java.security.interfaces.ECKey;
import java.security.interfaces.RSAKey;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * One immutable signing identity: the CA certificate and what signs with its key, the chain above
 * it and the trust anchors, with everything the signing path needs pre-encoded (issuer name,
 * signature algorithm, authority key identifier, the PEM tail of every response).
 */
public final class SigningAuthority {
  private final X509Certificate certificate;
  private final Signer signer;
  private final List<X509Certificate> intermediates;
  private final List<X509Certificate> roots;
  private final byte[] issuerName;
  private final byte[] keyIdentifier;
  private final List<String> chainTail;
  private final String rootBundle;
  private final String fingerprint;

  /**
   * @param certificate the signing certificate
   * @param signer signs with the private key of {@code certificate}
   * @param intermediates the certificates between {@code certificate} and a root, signer first
   *     excluded, nearest first
   * @param roots the trust anchors handed to workloads (may hold several during a rotation)
   */
  public SigningAuthority(X509Certificate certificate, Signer signer,
      List<X509Certificate> intermediates, List<X509Certificate> roots) {
    this.certificate = requireNonNull(certificate, "certificate");
    this.signer = requireNonNull(signer, "signer");
    this.intermediates = List.copyOf(intermediates);
    this.roots = List.copyOf(roots);
    if (this.roots.isEmpty()) {
      throw new IllegalArgumentException("at least one root certificate is needed");
    }
    this.issuerName = certificate.getSubjectX500Principal().getEncoded();
    this.keyIdentifier = subjectKeyIdentifier(certificate);
    List<String> tail = new ArrayList<>();
    if (!isSelfSigned(certificate)) {
      tail.add(Pem.encode(certificate));
    }
    this.intermediates.forEach(c -> tail.add(Pem.encode(c)));
    StringBuilder bundle = new StringBuilder();
    this.roots.forEach(r -> bundle.append(Pem.encode(r)));
    this.rootBundle = bundle.toString();
    tail.add(rootBundle);
    this.chainTail = List.copyOf(tail);
    this.fingerprint = sha256Hex(encoded(certificate));
  }

  /** The signing certificate. */
  public X509Certificate certificate() {
    return certificate;
  }

  /** Signs with the CA key. */
  public Signer signer() {
    return signer;
  }

  /** Certificates between the signing certificate and the root, nearest first. */
  public List<X509Certificate> intermediates() {
    return intermediates;
  }

  /** The trust anchors. */
  public List<X509Certificate> roots() {
    return roots;
  }

  /** The DER of the signing certificate's subject, used verbatim as every leaf's issuer. */
  public byte[] issuerName() {
    return issuerName.clone();
  }

  /** The signing certificate's subject key identifier, every leaf's authority key identifier. */
  public byte[] keyIdentifier() {
    return keyIdentifier.clone();
  }

  /**
   * What follows the leaf in a response: the signing certificate (unless it is itself a root),
   * each intermediate as its own element, and the root bundle last. Each element ends with "\n".
   */
  public List<String> chainTail() {
    return chainTail;
  }

  /** The PEM of every trust anchor, concatenated. */
  public String rootBundle() {
    return rootBundle;
  }

  /** The signing certificate's NotAfter. */
  public Instant notAfter() {
    return certificate.getNotAfter().toInstant();
  }

  /** SHA-256 of the signing certificate, hex; identifies this authority in logs and metrics. */
  public String fingerprint() {
    return fingerprint;
  }

  /** True if the certificate is self-issued and verifies with its own key. */
  public static boolean isSelfSigned(X509Certificate c) {
    if (!c.getSubjectX500Principal().equals(c.getIssuerX500Principal())) {
      return false;
    }
    try {
      c.verify(c.getPublicKey());
      return true;
    } catch (java.security.GeneralSecurityException e) {
      return false;
    }
  }

  /** The JCA signature algorithm for a CA key: SHA-256 for RSA and P-256, SHA-384 for P-384. */
  public static String signatureAlgorithm(PublicKey key) {
    if (key instanceof RSAKey) {
      return "SHA256withRSA";
    }
    if (key instanceof ECKey ec) {
      int bits = ec.getParams().getOrder().bitLength();
      return bits > 256 ? "SHA384withECDSA" : "SHA256withECDSA";
    }
    throw new IllegalArgumentException("unsupported CA key type " + key.getAlgorithm()
        + ": use ECDSA P-256/P-384 or RSA");
  }

  /** The DER AlgorithmIdentifier of a JCA signature algorithm name Signet signs with. */
  public static byte[] algorithmIdentifier(String jcaName) {
    return switch (jcaName) {
      case "SHA256withECDSA" -> Der.sequence(Der.oid("1.2.840.10045.4.3.2"));
      case "SHA384withECDSA" -> Der.sequence(Der.oid("1.2.840.10045.4.3.3"));
      case "SHA256withRSA" -> Der.sequence(Der.oid("1.2.840.113549.1.1.11"), new byte[] {5, 0});
      default -> throw new IllegalArgumentException("no encoding for " + jcaName);
    };
  }

  /** The private key type check shared by the CA loaders. */
  static void requireSupported(PrivateKey key) {
    if (!(key instanceof RSAKey) && !(key instanceof ECKey)) {
      throw new IllegalArgumentException("unsupported CA key type " + key.getAlgorithm());
    }
  }

  private static byte[] subjectKeyIdentifier(X509Certificate c) {
    byte[] ext = c.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (ext != null) {
      return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ext).getOctets())
          .getKeyIdentifier();
    }
    // RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey bits.
    byte[] keyBits = SubjectPublicKeyInfo.getInstance(c.getPublicKey().getEncoded())
        .getPublicKeyData().getBytes();
    try {
      return MessageDigest.getInstance("SHA-1").digest(keyBits);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from the JDK", e);
    }
  }

  private static byte[] encoded(X509Certificate c) {
    try {
      return c.getEncoded();
    } catch (java.security.cert.CertificateEncodingException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String sha256Hex(byte[] der) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-256").digest(der);
      StringBuilder sb = new StringBuilder(64);
      for (byte b : d) {
        sb.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
      }
      return sb.toString();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public String toString() {
    return "SigningAuthority[" + certificate.getSubjectX500Principal() + ", sha256="
        + fingerprint.substring(0, 16) + ", notAfter=" + notAfter() + "]";
  }
}
