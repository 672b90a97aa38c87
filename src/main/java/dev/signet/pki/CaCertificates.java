package dev.signet.pki;

import dev.signet.crypto.CryptoProvider;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.bouncycastle.cert.CertIOException;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Makes CA certificates (roots and intermediates) for dev mode and tests: CA=true, KeyUsage
 * keyCertSign + cRLSign only (critical), SKI, and an AKI of the issuer's key identifier only
 * (a root's own). Not on the signing path.
 */
public final class CaCertificates {
  private static final SecureRandom RANDOM = new SecureRandom();

  private CaCertificates() {}

  /** A new ECDSA key pair on the named curve ("secp256r1", "secp384r1"). */
  public static KeyPair ecKeyPair(String curve) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("EC", CryptoProvider.bouncyCastle());
      g.initialize(new ECGenParameterSpec(curve), RANDOM);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate an EC key on " + curve, e);
    }
  }

  /** A self-signed root valid from an hour ago for {@code ttl}. */
  public static X509Certificate root(String subject, KeyPair keys, Duration ttl) {
    return build(new X500Name(subject), keys.getPublic(), new X500Name(subject),
        keys.getPrivate(), null, ttl, -1, Instant.now().minus(Duration.ofHours(1)));
  }

  /**
   * A CA certificate signed by {@code issuer}'s key.
   *
   * @param pathLen the BasicConstraints path length, or -1 for none
   */
  public static X509Certificate intermediate(String subject, PublicKey key,
      X509Certificate issuer, PrivateKey issuerKey, Duration ttl, int pathLen) {
    return intermediate(subject, key, issuer, issuerKey, ttl, pathLen,
        Instant.now().minus(Duration.ofHours(1)));
  }

  /** A CA certificate signed by {@code issuer}'s key, valid from {@code notBefore}. */
  public static X509Certificate intermediate(String subject, PublicKey key,
      X509Certificate issuer, PrivateKey issuerKey, Duration ttl, int pathLen,
      Instant notBefore) {
    return build(new X500Name(subject), key,
        X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()), issuerKey, issuer,
        ttl, pathLen, notBefore);
  }

  private static X509Certificate build(X500Name subject, PublicKey key, X500Name issuerName,
      PrivateKey issuerKey, X509Certificate issuer, Duration ttl, int pathLen, Instant notBefore) {
    try {
      X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuerName,
          new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(notBefore),
          Date.from(notBefore.plus(ttl)), subject, key);
      JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
      b.addExtension(Extension.basicConstraints, true,
          pathLen >= 0 ? new BasicConstraints(pathLen) : new BasicConstraints(true));
      b.addExtension(Extension.keyUsage, true,
          new KeyUsage(KeyUsage.keyCertSign | KeyUsage.cRLSign));
      b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(key));
      // keyIdentifier only (the issuer's SKI; a root's own): no authorityCertIssuer and serial,
      // which tie the certificate to one issuer certificate and break path building across a
      // re-issue. RFC 5280 4.2.1.1 lets a root omit it; it is there, as OpenSSL and Vault write
      // roots, so that issuer/subject linters and path builders match every link the same way.
      b.addExtension(Extension.authorityKeyIdentifier, false, new AuthorityKeyIdentifier(
          issuer != null ? keyIdentifier(issuer, ext)
              : ext.createSubjectKeyIdentifier(key).getKeyIdentifier()));
      String alg = issuerKey.getAlgorithm().startsWith("RSA") ? "SHA256withRSA"
          : "SHA256withECDSA";
      return new JcaX509CertificateConverter().getCertificate(b.build(
          new JcaContentSignerBuilder(alg).setProvider(CryptoProvider.bouncyCastle())
              .build(issuerKey)));
    } catch (GeneralSecurityException | OperatorCreationException | CertIOException e) {
      throw new IllegalStateException("cannot make a CA certificate for " + subject, e);
    }
  }

  /** The issuer's SubjectKeyIdentifier, or the RFC 5280 method 1 identifier of its key. */
  private static byte[] keyIdentifier(X509Certificate issuer, JcaX509ExtensionUtils ext) {
    byte[] ski = issuer.getExtensionValue(Extension.subjectKeyIdentifier.getId());
    if (ski != null) {
      return SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(ski).getOctets())
          .getKeyIdentifier();
    }
    return ext.createSubjectKeyIdentifier(issuer.getPublicKey()).getKeyIdentifier();
  }
}
