package dev.signet.csr;

import static java.util.Objects.requireNonNull;

import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import dev.signet.pki.Pem;
import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAPublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.List;
import java.util.Map;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.Attribute;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;

/**
 * Parses and checks a PEM CSR the way Istio's agents write them: RSA >= 2048 or ECDSA
 * P-256/P-384, subject empty or only {@code O}, extensions only SubjectAltName, KeyUsage and
 * ExtKeyUsage, and exactly one URI SAN with no DNS, IP or e-mail names. Every refusal is
 * INVALID_REQUEST with a message that says what to change; none quotes the CSR.
 */
public final class CsrParser {
  /** Signature algorithms accepted on CSRs, by OID. SHA-1 and MD5 are refused. */
  private static final Map<String, String> SIGNATURES = Map.of(
      "1.2.840.10045.4.3.2", "SHA256withECDSA",
      "1.2.840.10045.4.3.3", "SHA384withECDSA",
      "1.2.840.10045.4.3.4", "SHA512withECDSA",
      "1.2.840.113549.1.1.11", "SHA256withRSA",
      "1.2.840.113549.1.1.12", "SHA384withRSA",
      "1.2.840.113549.1.1.13", "SHA512withRSA");
  private static final int MAX_CSR_BYTES = 64 * 1024;
  private static final int MIN_RSA_BITS = 2048;
  private static final int MAX_RSA_BITS = 8192;

  private final ThreadLocal<Verifiers> verifiers;

  public CsrParser(CryptoProvider crypto) {
    requireNonNull(crypto, "crypto");
    this.verifiers = ThreadLocal.withInitial(() -> new Verifiers(crypto));
  }

  /** Parses and checks {@code pem}. */
  public CertificateRequest parse(String pem) {
    if (pem == null || pem.isBlank()) {
      throw invalid("the request has no CSR (field 'csr' is empty)");
    }
    if (pem.length() > MAX_CSR_BYTES) {
      throw invalid("the CSR is larger than " + MAX_CSR_BYTES + " bytes");
    }
    CertificationRequest csr = decode(pem);
    SubjectPublicKeyInfo spki = csr.getCertificationRequestInfo().getSubjectPublicKeyInfo();
    String keyType = keyType(spki);
    verifySignature(csr, spki);
    checkSubject(csr);
    String uri = checkExtensions(csr);
    return new CertificateRequest(encode(spki), uri, keyType);
  }

  private static CertificationRequest decode(String pem) {
    List<Pem.Block> blocks;
    try {
      blocks = Pem.decodeAll(pem);
    } catch (IllegalArgumentException e) {
      throw invalid("the CSR is not valid PEM: " + e.getMessage());
    }
    if (blocks.size() != 1 || !blocks.get(0).type().equals("CERTIFICATE REQUEST")) {
      throw invalid("the CSR must be exactly one PEM block of type 'CERTIFICATE REQUEST'");
    }
    try {
      return CertificationRequest.getInstance(blocks.get(0).der());
    } catch (RuntimeException e) {
      throw invalid("the CSR is not a valid PKCS#10 structure");
    }
  }

  private static String keyType(SubjectPublicKeyInfo spki) {
    ASN1ObjectIdentifier alg = spki.getAlgorithm().getAlgorithm();
    if (alg.equals(PKCSObjectIdentifiers.rsaEncryption)) {
      int bits;
      try {
        bits = org.bouncycastle.asn1.pkcs.RSAPublicKey.getInstance(spki.parsePublicKey())
            .getModulus().bitLength();
      } catch (IOException | RuntimeException e) {
        throw invalid("the CSR's RSA public key does not parse");
      }
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw invalid("the CSR's RSA key has " + bits + " bits; use " + MIN_RSA_BITS + " to "
            + MAX_RSA_BITS);
      }
      return "RSA-" + bits;
    }
    if (alg.equals(X9ObjectIdentifiers.id_ecPublicKey)) {
      ASN1Encodable params = spki.getAlgorithm().getParameters();
      if (X9ObjectIdentifiers.prime256v1.equals(params)) {
        return "EC-P256";
      }
      if (SECObjectIdentifiers.secp384r1.equals(params)) {
        return "EC-P384";
      }
      throw invalid("the CSR's EC key is not on P-256 or P-384");
    }
    throw invalid("the CSR's key type (" + alg.getId() + ") is not allowed; use RSA (2048 bits "
        + "or more) or ECDSA P-256/P-384");
  }

  private void verifySignature(CertificationRequest csr, SubjectPublicKeyInfo spki) {
    String oid = csr.getSignatureAlgorithm().getAlgorithm().getId();
    String algorithm = SIGNATURES.get(oid);
    if (algorithm == null) {
      throw invalid("the CSR's signature algorithm (" + oid + ") is not allowed; use SHA-256 "
          + "or stronger with RSA or ECDSA");
    }
    boolean rsaKey = spki.getAlgorithm().getAlgorithm().equals(PKCSObjectIdentifiers.rsaEncryption);
    if (rsaKey != algorithm.endsWith("RSA")) {
      throw invalid("the CSR's signature algorithm does not match its key type");
    }
    try {
      Verifiers v = verifiers.get();
      PublicKey key = v.keyFactory(rsaKey).generatePublic(new X509EncodedKeySpec(encode(spki)));
      if (key instanceof RSAPublicKey rsa && rsa.getPublicExponent().compareTo(BigInteger.ONE) <= 0) {
        throw invalid("the CSR's RSA public exponent is not valid");
      }
      Signature s = v.signature(algorithm);
      s.initVerify(key);
      s.update(csr.getCertificationRequestInfo().getEncoded(ASN1Encoding.DER));
      if (!s.verify(csr.getSignature().getOctets())) {
        throw invalid("the CSR's signature does not verify with its public key");
      }
    } catch (GeneralSecurityException | IOException | RuntimeException e) {
      if (e instanceof SignetException se) {
        throw se;
      }
      throw invalid("the CSR's signature does not verify with its public key");
    }
  }

  private static void checkSubject(CertificationRequest csr) {
    for (RDN rdn : csr.getCertificationRequestInfo().getSubject().getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        if (!atv.getType().equals(BCStyle.O)) {
          String name = BCStyle.INSTANCE.oidToDisplayName(atv.getType());
          throw invalid("the CSR's subject must be empty or only O; it has "
              + (name != null ? name : atv.getType().getId())
              + " (the identity goes in the URI SAN)");
        }
      }
    }
  }

  private static String checkExtensions(CertificationRequest csr) {
    Extensions extensions = null;
    for (ASN1Encodable a : csr.getCertificationRequestInfo().getAttributes()) {
      Attribute attr = Attribute.getInstance(a);
      if (!attr.getAttrType().equals(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest)
          || extensions != null || attr.getAttrValues().size() != 1) {
        throw invalid("the CSR may carry only one extensionRequest attribute; it has "
            + attr.getAttrType().getId());
      }
      try {
        extensions = Extensions.getInstance(attr.getAttrValues().getObjectAt(0));
      } catch (RuntimeException e) {
        throw invalid("the CSR's extensionRequest does not parse");
      }
    }
    if (extensions == null) {
      throw invalid("the CSR has no SubjectAltName; it must ask for one spiffe:// URI");
    }
    for (ASN1ObjectIdentifier oid : extensions.getExtensionOIDs()) {
      if (!oid.equals(Extension.subjectAlternativeName) && !oid.equals(Extension.keyUsage)
          && !oid.equals(Extension.extendedKeyUsage)) {
        throw invalid("the CSR carries extension " + oid.getId() + "; only SubjectAltName, "
            + "KeyUsage and ExtKeyUsage are allowed");
      }
    }
    Extension san = extensions.getExtension(Extension.subjectAlternativeName);
    if (san == null) {
      throw invalid("the CSR has no SubjectAltName; it must ask for one spiffe:// URI");
    }
    GeneralName[] names;
    try {
      names = GeneralNames.getInstance(san.getParsedValue()).getNames();
    } catch (RuntimeException e) {
      throw invalid("the CSR's SubjectAltName does not parse");
    }
    String uri = null;
    for (GeneralName n : names) {
      switch (n.getTagNo()) {
        case GeneralName.uniformResourceIdentifier -> {
          if (uri != null) {
            throw invalid("the CSR asks for more than one URI SAN; it must ask for exactly one");
          }
          uri = n.getName().toString();
        }
        case GeneralName.dNSName -> throw invalid("the CSR asks for a DNS SAN; workload "
            + "certificates carry only the spiffe:// URI");
        case GeneralName.iPAddress -> throw invalid("the CSR asks for an IP SAN; workload "
            + "certificates carry only the spiffe:// URI");
        case GeneralName.rfc822Name -> throw invalid("the CSR asks for an e-mail SAN; workload "
            + "certificates carry only the spiffe:// URI");
        default -> throw invalid("the CSR asks for a SAN of type " + n.getTagNo()
            + "; workload certificates carry only the spiffe:// URI");
      }
    }
    if (uri == null) {
      throw invalid("the CSR's SubjectAltName has no URI; it must ask for one spiffe:// URI");
    }
    return uri;
  }

  private static byte[] encode(SubjectPublicKeyInfo spki) {
    try {
      return spki.getEncoded(ASN1Encoding.DER);
    } catch (IOException e) {
      throw invalid("the CSR's public key does not encode");
    }
  }

  private static SignetException invalid(String message) {
    return SignetException.invalidRequest(message);
  }
}
