package dev.signet.csr;

import dev.signet.crypto.CryptoProvider;
import java.math.BigInteger;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERNull;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.pkcs.RSAPublicKey;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;

/**
 * Signet's CSR policy written a second way, over Bouncy Castle's {@link
 * PKCS10CertificationRequest} instead of Signet's DER cursor: the reference the CSR parser is
 * compared with. It adds RFC 3279/5480's key parameters (RSA: NULL; EC: a named curve), since
 * the parser copies the SubjectPublicKeyInfo into certificates verbatim.
 */
final class BcCsrReference {
  /** What a request that passes comes to: the key (DER), the one URI, the key type. */
  record Accepted(byte[] publicKeyInfo, String uri, String keyType) {}

  private static final Map<ASN1ObjectIdentifier, Boolean> SIGNATURES = Map.of(
      X9ObjectIdentifiers.ecdsa_with_SHA256, false, X9ObjectIdentifiers.ecdsa_with_SHA384, false,
      X9ObjectIdentifiers.ecdsa_with_SHA512, false,
      PKCSObjectIdentifiers.sha256WithRSAEncryption, true,
      PKCSObjectIdentifiers.sha384WithRSAEncryption, true,
      PKCSObjectIdentifiers.sha512WithRSAEncryption, true);
  private static final Set<ASN1ObjectIdentifier> EXTENSIONS = Set.of(
      Extension.subjectAlternativeName, Extension.keyUsage, Extension.extendedKeyUsage);

  private BcCsrReference() {}

  /** The request's facts if it passes the policy, else empty (for any reason, any exception). */
  static Optional<Accepted> check(byte[] der) {
    try {
      PKCS10CertificationRequest bc = new PKCS10CertificationRequest(der);
      if (!bc.toASN1Structure().getCertificationRequestInfo().getVersion().hasValue(0)) {
        return Optional.empty();
      }
      SubjectPublicKeyInfo spki = bc.getSubjectPublicKeyInfo();
      String keyType = keyType(spki);
      AlgorithmIdentifier sig = bc.getSignatureAlgorithm();
      Boolean rsaSignature = SIGNATURES.get(sig.getAlgorithm());
      if (keyType == null || rsaSignature == null || rsaSignature != keyType.startsWith("RSA")
          || !(sig.getParameters() == null || DERNull.INSTANCE.equals(sig.getParameters()))) {
        return Optional.empty();
      }
      if (!bc.isSignatureValid(new JcaContentVerifierProviderBuilder()
          .setProvider(CryptoProvider.bouncyCastle()).build(spki))) {
        return Optional.empty();
      }
      for (RDN rdn : bc.getSubject().getRDNs()) {
        for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
          if (!atv.getType().equals(BCStyle.O)) {
            return Optional.empty();
          }
        }
      }
      Attribute[] attributes = bc.getAttributes();
      if (attributes.length != 1
          || !attributes[0].getAttrType().equals(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)
          || attributes[0].getAttrValues().size() != 1) {
        return Optional.empty();
      }
      Extensions extensions = Extensions.getInstance(attributes[0].getAttrValues().getObjectAt(0));
      for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
        if (!EXTENSIONS.contains(oid)) {
          return Optional.empty();
        }
      }
      Extension san = extensions.getExtension(Extension.subjectAlternativeName);
      if (san == null) {
        return Optional.empty();
      }
      GeneralName[] names = GeneralNames.getInstance(san.getParsedValue()).getNames();
      if (names.length != 1 || names[0].getTagNo() != GeneralName.uniformResourceIdentifier) {
        return Optional.empty();
      }
      String uri = names[0].getName().toString();
      if (uri.chars().anyMatch(c -> c < 0x20 || c >= 0x7F)) {
        return Optional.empty();
      }
      return Optional.of(new Accepted(spki.getEncoded(ASN1Encoding.DER), uri, keyType));
    } catch (Exception e) {
      return Optional.empty();
    }
  }

  /** "RSA-<bits>" (2048-8192, e = 65537, NULL parameters), "EC-P256", "EC-P384", or null. */
  private static String keyType(SubjectPublicKeyInfo spki) throws Exception {
    AlgorithmIdentifier alg = spki.getAlgorithm();
    ASN1Encodable params = alg.getParameters();
    if (alg.getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption)) {
      RSAPublicKey rsa = RSAPublicKey.getInstance(spki.parsePublicKey());
      int bits = rsa.getModulus().bitLength();
      boolean ok = DERNull.INSTANCE.equals(params) && bits >= 2048 && bits <= 8192
          && rsa.getPublicExponent().equals(BigInteger.valueOf(65537));
      return ok ? "RSA-" + bits : null;
    }
    if (alg.getAlgorithm().equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      if (X9ObjectIdentifiers.prime256v1.equals(params)) {
        return "EC-P256";
      }
      if (SECObjectIdentifiers.secp384r1.equals(params)) {
        return "EC-P384";
      }
    }
    return null;
  }
}
