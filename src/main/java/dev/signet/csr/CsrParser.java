package dev.signet.csr;

import static dev.signet.csr.DerCursor.BIT_STRING;
import static dev.signet.csr.DerCursor.BOOLEAN;
import static dev.signet.csr.DerCursor.INTEGER;
import static dev.signet.csr.DerCursor.NULL;
import static dev.signet.csr.DerCursor.OCTET_STRING;
import static dev.signet.csr.DerCursor.OID;
import static dev.signet.csr.DerCursor.PRINTABLE_STRING;
import static dev.signet.csr.DerCursor.SEQUENCE;
import static dev.signet.csr.DerCursor.SET;
import static dev.signet.csr.DerCursor.UTF8_STRING;
import static java.util.Objects.requireNonNull;

import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import dev.signet.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Arrays;
import java.util.List;
import javax.security.auth.DestroyFailedException;
import javax.security.auth.Destroyable;

/**
 * Parses and checks a PEM CSR the way Istio's agents write them: RSA >= 2048 bits with public
 * exponent 65537 or ECDSA P-256/P-384, subject empty or only {@code O}, extensions only
 * SubjectAltName, KeyUsage and ExtKeyUsage, and exactly one URI SAN with no DNS, IP or e-mail
 * names. Every refusal is INVALID_REQUEST with a message that says what to change; none quotes
 * the CSR.
 *
 * <p>The DER is read in place by {@link DerCursor} (strict DER, no object tree), and the
 * signature is checked over the exact bytes received: what is checked is what was signed.
 */
public final class CsrParser {
  private static final int MAX_CSR_BYTES = 64 * 1024;
  private static final int MIN_RSA_BITS = 2048;
  private static final int MAX_RSA_BITS = 8192;
  /** The RSA public exponent 65537 as DER INTEGER content. */
  private static final byte[] RSA_F4 = {0x01, 0x00, 0x01};
  private static final String NOT_PKCS10 = "the CSR is not a valid PKCS#10 structure";
  private static final String SPIFFE_ONLY = "; workload certificates carry only the spiffe:// URI";

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
    Layout csr;
    try {
      csr = new Layout(decode(pem));
    } catch (DerCursor.Malformed e) {
      throw invalid(NOT_PKCS10);
    }
    String keyType = keyType(csr);
    byte[] spki = csr.publicKeyInfo();
    verifySignature(csr, spki, keyType.startsWith("RSA"));
    checkSubject(csr);
    return new CertificateRequest(spki, uri(csr), keyType);
  }

  private static byte[] decode(String pem) {
    List<Pem.Block> blocks;
    try {
      blocks = Pem.decodeAll(pem);
    } catch (IllegalArgumentException e) {
      throw invalid("the CSR is not valid PEM: " + e.getMessage());
    }
    if (blocks.size() != 1 || !blocks.get(0).type().equals("CERTIFICATE REQUEST")) {
      throw invalid("the CSR must be exactly one PEM block of type 'CERTIFICATE REQUEST'");
    }
    return blocks.get(0).der();
  }

  private static String keyType(Layout csr) {
    DerCursor alg = csr.keyAlgorithm().next(OID);
    if (alg.contentEquals(Oids.RSA_ENCRYPTION)) {
      // RFC 3279 2.3.1: the parameters MUST be NULL. The key is copied into the certificate
      // verbatim, so a request without them would make a non-conforming certificate (found by
      // CsrDifferentialTest).
      if (!alg.hasNext() || alg.next().tag != NULL || alg.length() != 0) {
        throw invalid("the CSR's RSA key has no NULL parameters in its AlgorithmIdentifier "
            + "(RFC 3279 2.3.1)");
      }
      int bits;
      try {
        DerCursor key = csr.keyBits();
        DerCursor rsa = key.next(SEQUENCE).inside();
        key.expectEnd();
        bits = rsa.next(INTEGER).positiveIntegerBits();
        // Only F4: any other exponent is refused before the signature check, whose cost grows
        // with the exponent (about half a second of CPU for a huge one with Bouncy Castle).
        if (!rsa.next(INTEGER).contentEquals(RSA_F4)) {
          throw invalid("the CSR's RSA public exponent is not valid: it must be 65537");
        }
        rsa.expectEnd();
      } catch (DerCursor.Malformed e) {
        throw invalid("the CSR's RSA public key does not parse");
      }
      if (bits < MIN_RSA_BITS || bits > MAX_RSA_BITS) {
        throw invalid("the CSR's RSA key has " + bits + " bits; use " + MIN_RSA_BITS + " to "
            + MAX_RSA_BITS);
      }
      return "RSA-" + bits;
    }
    if (alg.contentEquals(Oids.EC_PUBLIC_KEY)) {
      if (alg.hasNext()) {
        alg.next();
        if (alg.tag == OID && alg.contentEquals(Oids.P256)) {
          return "EC-P256";
        }
        if (alg.tag == OID && alg.contentEquals(Oids.P384)) {
          return "EC-P384";
        }
      }
      throw invalid("the CSR's EC key is not on P-256 or P-384");
    }
    throw invalid("the CSR's key type (" + Oids.dotted(alg) + ") is not allowed; use RSA (2048 "
        + "bits or more) or ECDSA P-256/P-384");
  }

  private void verifySignature(Layout csr, byte[] spki, boolean rsaKey) {
    DerCursor alg = csr.signatureAlgorithm().next(OID);
    String algorithm = Oids.signatureAlgorithm(alg);
    if (algorithm == null) {
      throw invalid("the CSR's signature algorithm (" + Oids.dotted(alg) + ") is not allowed; "
          + "use SHA-256 or stronger with RSA or ECDSA");
    }
    if (rsaKey != algorithm.endsWith("RSA")) {
      throw invalid("the CSR's signature algorithm does not match its key type");
    }
    PublicKey key = null;
    try {
      Verifiers v = verifiers.get();
      key = v.keyFactory(rsaKey).generatePublic(new X509EncodedKeySpec(spki));
      Signature s = v.signature(algorithm);
      s.initVerify(key);
      s.update(csr.der, csr.infoFrom, csr.infoTo - csr.infoFrom);
      if (!s.verify(csr.der, csr.signatureFrom, csr.signatureTo - csr.signatureFrom)) {
        throw invalid("the CSR's signature does not verify with its public key");
      }
    } catch (GeneralSecurityException | RuntimeException e) {
      if (e instanceof SignetException se) {
        throw se;
      }
      throw invalid("the CSR's signature does not verify with its public key");
    } finally {
      release(key);
    }
  }

  /**
   * Frees a native key now. The native provider tracks each key it makes for a cleaner thread,
   * which keeps every CSR's key alive through a young collection when left to the GC: one key
   * per request made the pauses copy megabytes. Keys of other providers are left to the GC.
   */
  private static void release(PublicKey key) {
    if (key instanceof Destroyable d && !d.isDestroyed()) {
      try {
        d.destroy();
      } catch (DestroyFailedException e) {
        // Not destroyable after all: the GC frees it.
      }
    }
  }

  private static void checkSubject(Layout csr) {
    DerCursor rdns = csr.subject();
    try {
      while (rdns.hasNext()) {
        DerCursor atvs = rdns.next(SET).inside();
        while (atvs.hasNext()) {
          DerCursor atv = atvs.next(SEQUENCE).inside();
          atv.next(OID);
          if (!atv.contentEquals(Oids.ORGANIZATION)) {
            throw invalid("the CSR's subject must be empty or only O; it has "
                + Oids.displayName(atv) + " (the identity goes in the URI SAN)");
          }
          // A string, as Istio's agents write O: any other element would pass unread, even one
          // that is not DER (found by fuzzing: a primitive SET).
          atv.next();
          if (atv.tag != UTF8_STRING && atv.tag != PRINTABLE_STRING) {
            throw DerCursor.malformed();
          }
          atv.expectEnd();
        }
      }
    } catch (DerCursor.Malformed e) {
      throw invalid("the CSR's subject does not parse");
    }
  }

  /** The one URI SAN, after checking the attributes and extensions around it. */
  private static String uri(Layout csr) {
    DerCursor san = sanValue(csr);
    String uri = null;
    try {
      DerCursor names = san.next(SEQUENCE).inside();
      san.expectEnd();
      while (names.hasNext()) {
        names.next();
        switch (names.tag) {
          case 0x86 -> {
            if (uri != null) {
              throw invalid("the CSR asks for more than one URI SAN; it must ask for exactly one");
            }
            uri = ia5(names);
          }
          case 0x82 -> throw invalid("the CSR asks for a DNS SAN" + SPIFFE_ONLY);
          case 0x87 -> throw invalid("the CSR asks for an IP SAN" + SPIFFE_ONLY);
          case 0x81 -> throw invalid("the CSR asks for an e-mail SAN" + SPIFFE_ONLY);
          default -> throw invalid("the CSR asks for a SAN of type " + (names.tag & 0x1F)
              + SPIFFE_ONLY);
        }
      }
    } catch (DerCursor.Malformed e) {
      throw invalid("the CSR's SubjectAltName does not parse");
    }
    if (uri == null) {
      throw invalid("the CSR's SubjectAltName has no URI; it must ask for one spiffe:// URI");
    }
    return uri;
  }

  /** A cursor over the SubjectAltName extension's value; every other extension is refused. */
  private static DerCursor sanValue(Layout csr) {
    DerCursor extensions = null;
    DerCursor san = null;
    try {
      DerCursor attributes = csr.attributes();
      while (attributes != null && attributes.hasNext()) {
        DerCursor attr = attributes.next(SEQUENCE).inside();
        attr.next(OID);
        if (!attr.contentEquals(Oids.EXTENSION_REQUEST) || extensions != null) {
          throw invalid("the CSR may carry only one extensionRequest attribute; it has "
              + Oids.dotted(attr));
        }
        DerCursor values = attr.next(SET).inside();
        attr.expectEnd();
        extensions = values.next(SEQUENCE).inside();
        if (values.hasNext()) {
          throw invalid("the CSR may carry only one extensionRequest attribute; it has "
              + "one with several values");
        }
      }
      if (extensions == null) {
        throw invalid("the CSR has no SubjectAltName; it must ask for one spiffe:// URI");
      }
      int seen = 0;
      while (extensions.hasNext()) {
        DerCursor ext = extensions.next(SEQUENCE).inside();
        ext.next(OID);
        int bit = Oids.allowedExtensionBit(ext);
        if (bit == 0) {
          throw invalid("the CSR carries extension " + Oids.dotted(ext) + "; only "
              + "SubjectAltName, KeyUsage and ExtKeyUsage are allowed");
        }
        if ((seen & bit) != 0) {
          throw invalid("the CSR's extensionRequest repeats an extension");
        }
        seen |= bit;
        ext.next();
        if (ext.tag == BOOLEAN) {
          ext.booleanValue(); // critical or not, the extension is checked the same way
          ext.next();
        }
        if (ext.tag != OCTET_STRING) {
          throw invalid("the CSR's extensionRequest does not parse");
        }
        if (bit == Oids.SAN_BIT) {
          san = ext.inside();
        }
        ext.expectEnd();
      }
    } catch (DerCursor.Malformed e) {
      throw invalid("the CSR's extensionRequest does not parse");
    }
    if (san == null) {
      throw invalid("the CSR has no SubjectAltName; it must ask for one spiffe:// URI");
    }
    return san;
  }

  private static String ia5(DerCursor name) {
    byte[] der = name.bytes();
    for (int i = name.start; i < name.end; i++) {
      if (der[i] < 0x20 || der[i] == 0x7F) {
        throw invalid("the CSR's URI SAN holds characters a URI cannot have");
      }
    }
    return new String(der, name.start, name.length(), StandardCharsets.US_ASCII);
  }

  private static SignetException invalid(String message) {
    return SignetException.invalidRequest(message);
  }

  /**
   * Where the parts of a PKCS#10 request are in its DER (RFC 2986 section 4), as ranges of one
   * array. The outer structure is checked here; the parts' contents by the policy steps above.
   */
  private static final class Layout {
    final byte[] der;
    final int infoFrom;
    final int infoTo;
    final int subjectFrom;
    final int subjectTo;
    final int spkiFrom;
    final int spkiTo;
    final int keyAlgorithmFrom;
    final int keyAlgorithmTo;
    final int keyBitsFrom;
    final int keyBitsTo;
    /** Content of the [0] attributes, or -1 when the request has none. */
    final int attributesFrom;
    final int attributesTo;
    final int signatureAlgorithmFrom;
    final int signatureAlgorithmTo;
    final int signatureFrom;
    final int signatureTo;

    Layout(byte[] der) {
      this.der = der;
      DerCursor top = new DerCursor(der, 0, der.length);
      DerCursor request = top.next(SEQUENCE).inside();
      top.expectEnd();

      request.next(SEQUENCE);
      infoFrom = request.headerStart;
      infoTo = request.end;
      DerCursor info = request.inside();
      request.next(SEQUENCE);
      signatureAlgorithmFrom = request.start;
      signatureAlgorithmTo = request.end;
      checkSignatureAlgorithm(request.inside());
      request.next(BIT_STRING);
      signatureFrom = request.bitStringBytesStart();
      signatureTo = request.end;
      request.expectEnd();

      info.next(INTEGER);
      if (info.length() != 1 || der[info.start] != 0) {
        throw DerCursor.malformed(); // version 1 (encoded 0) is the only one
      }
      info.next(SEQUENCE);
      subjectFrom = info.start;
      subjectTo = info.end;
      info.next(SEQUENCE);
      spkiFrom = info.headerStart;
      spkiTo = info.end;
      DerCursor spki = info.inside();
      spki.next(SEQUENCE);
      keyAlgorithmFrom = spki.start;
      keyAlgorithmTo = spki.end;
      checkAlgorithmIdentifier(spki.inside());
      spki.next(BIT_STRING);
      keyBitsFrom = spki.bitStringBytesStart();
      keyBitsTo = spki.end;
      spki.expectEnd();
      if (info.hasNext()) {
        info.next(0xA0);
        attributesFrom = info.start;
        attributesTo = info.end;
      } else {
        attributesFrom = -1;
        attributesTo = -1;
      }
      info.expectEnd();
    }

    /**
     * A signature AlgorithmIdentifier's content: an OID and, if any, NULL parameters (RFC 4055
     * and 5758: NULL for RSA, none for ECDSA). Nothing else reads them, so any other element
     * would pass unchecked, even one that is not DER (an empty INTEGER, found by fuzzing).
     */
    private static void checkSignatureAlgorithm(DerCursor content) {
      content.next(OID);
      if (content.hasNext()) {
        content.next(NULL);
        if (content.length() != 0) {
          throw DerCursor.malformed();
        }
        content.expectEnd();
      }
    }

    /**
     * A key's AlgorithmIdentifier content: an OID and at most one parameters element, which the
     * key type check (EC curve) and the key factory read.
     */
    private static void checkAlgorithmIdentifier(DerCursor content) {
      content.next(OID);
      if (content.hasNext()) {
        content.next();
        content.expectEnd();
      }
    }

    DerCursor subject() {
      return new DerCursor(der, subjectFrom, subjectTo);
    }

    DerCursor keyAlgorithm() {
      return new DerCursor(der, keyAlgorithmFrom, keyAlgorithmTo);
    }

    DerCursor keyBits() {
      return new DerCursor(der, keyBitsFrom, keyBitsTo);
    }

    DerCursor signatureAlgorithm() {
      return new DerCursor(der, signatureAlgorithmFrom, signatureAlgorithmTo);
    }

    /** The attributes, or null when the request has none. */
    DerCursor attributes() {
      return attributesFrom < 0 ? null : new DerCursor(der, attributesFrom, attributesTo);
    }

    byte[] publicKeyInfo() {
      return Arrays.copyOfRange(der, spkiFrom, spkiTo);
    }
  }
}
