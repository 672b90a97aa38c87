package dev.signet.hostile;

import dev.signet.pki.Pem;
import dev.signet.pki.ProofTime;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERGeneralizedTime;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/**
 * Workload leaves shaped like Signet's, signed by whatever key a test holds: the root, a sibling
 * intermediate, or Signet's own signing key (to date a leaf in the past, as if Signet had
 * issued it then).
 */
final class TestLeaves {
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("uuuuMMddHHmmss'Z'").withZone(ZoneOffset.UTC);

  private TestLeaves() {}

  /** An ECDSA PKCS#8 private key from a PEM file (the dev CA's key files). */
  static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    byte[] der = Pem.decodeAll(Files.readString(pem)).get(0).der();
    return KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
  }

  /** The certificates of a PEM file. */
  static List<X509Certificate> certificates(Path pem) throws Exception {
    return Pem.certificates(Files.readString(pem));
  }

  /** The first certificate of a PEM text (a response element). */
  static X509Certificate certificate(String pem) throws Exception {
    return Pem.certificates(pem).get(0);
  }

  /**
   * A leaf for {@code uri} with Signet's extensions, issued by {@code issuer} with its key.
   *
   * @param proofTime the proof-time extension's value, or null for none
   */
  static X509Certificate leaf(X509Certificate issuer, PrivateKey issuerKey, PublicKey key,
      String uri, Instant notBefore, Instant notAfter, Instant proofTime) throws Exception {
    X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
        X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
        new BigInteger(127, RANDOM).add(BigInteger.ONE), Date.from(notBefore),
        Date.from(notAfter), new X500Name(""), key);
    b.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.subjectAlternativeName, true,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
    if (proofTime != null) {
      // SubjectDirectoryAttributes { Attribute { proof-time OID, { GeneralizedTime } } }
      b.addExtension(new ASN1ObjectIdentifier(ProofTime.EXTENSION_OID), false,
          new DERSequence(new DERSequence(new ASN1Encodable[] {
              new ASN1ObjectIdentifier(ProofTime.OID),
              new DERSet(new DERGeneralizedTime(GENERALIZED_TIME.format(proofTime)))})));
    }
    return new JcaX509CertificateConverter().getCertificate(
        b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuerKey)));
  }
}
