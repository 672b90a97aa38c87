package dev.signet.csr;

import dev.signet.pki.Der;
import java.util.Arrays;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.style.BCStyle;

/**
 * The object identifiers a CSR check compares against, as DER content bytes, so a comparison is
 * a byte-range equality on the request's own array. Dotted and display forms are made only for
 * refusal messages.
 */
final class Oids {
  static final byte[] RSA_ENCRYPTION = content("1.2.840.113549.1.1.1");
  static final byte[] EC_PUBLIC_KEY = content("1.2.840.10045.2.1");
  static final byte[] P256 = content("1.2.840.10045.3.1.7");
  static final byte[] P384 = content("1.3.132.0.34");
  static final byte[] ORGANIZATION = content("2.5.4.10");
  static final byte[] EXTENSION_REQUEST = content("1.2.840.113549.1.9.14");

  static final int SAN_BIT = 1;
  private static final byte[][] EXTENSIONS = {
      content("2.5.29.17"), // SubjectAltName: SAN_BIT
      content("2.5.29.15"), // KeyUsage
      content("2.5.29.37"), // ExtKeyUsage
  };

  /** Signature algorithms accepted on CSRs; SHA-1 and MD5 are refused. */
  private static final byte[][] SIGNATURE_OIDS = {
      content("1.2.840.10045.4.3.2"),
      content("1.2.840.10045.4.3.3"),
      content("1.2.840.10045.4.3.4"),
      content("1.2.840.113549.1.1.11"),
      content("1.2.840.113549.1.1.12"),
      content("1.2.840.113549.1.1.13"),
  };
  private static final String[] SIGNATURE_NAMES = {
      "SHA256withECDSA", "SHA384withECDSA", "SHA512withECDSA",
      "SHA256withRSA", "SHA384withRSA", "SHA512withRSA",
  };

  private Oids() {}

  /** The JCA name of the signature algorithm whose OID the cursor just read, or null. */
  static String signatureAlgorithm(DerCursor oid) {
    for (int i = 0; i < SIGNATURE_OIDS.length; i++) {
      if (oid.contentEquals(SIGNATURE_OIDS[i])) {
        return SIGNATURE_NAMES[i];
      }
    }
    return null;
  }

  /** A distinct bit for each allowed extension ({@link #SAN_BIT} for SubjectAltName), else 0. */
  static int allowedExtensionBit(DerCursor oid) {
    for (int i = 0; i < EXTENSIONS.length; i++) {
      if (oid.contentEquals(EXTENSIONS[i])) {
        return 1 << i;
      }
    }
    return 0;
  }

  /** Longest dotted OID quoted back to a caller; a real one is well under this. */
  static final int MAX_QUOTED = 64;

  /**
   * The OID the cursor just read, dotted, for a message; cut at {@value #MAX_QUOTED} characters
   * so that a refusal never echoes kilobytes of the caller's data.
   */
  static String dotted(DerCursor oid) {
    ASN1ObjectIdentifier parsed = parse(oid);
    return parsed != null ? quoted(parsed.getId()) : "an unreadable OID";
  }

  private static String quoted(String dotted) {
    return dotted.length() <= MAX_QUOTED ? dotted : dotted.substring(0, MAX_QUOTED) + "...";
  }

  /** The attribute type the cursor just read as a short name (CN, OU...) or dotted. */
  static String displayName(DerCursor oid) {
    ASN1ObjectIdentifier parsed = parse(oid);
    if (parsed == null) {
      return "an unreadable attribute type";
    }
    String name = BCStyle.INSTANCE.oidToDisplayName(parsed);
    return name != null ? name : quoted(parsed.getId());
  }

  private static ASN1ObjectIdentifier parse(DerCursor oid) {
    try {
      return ASN1ObjectIdentifier.getInstance(oid.copyElement());
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static byte[] content(String dotted) {
    byte[] der = Der.oid(dotted);
    return Arrays.copyOfRange(der, 2, der.length); // every OID here is shorter than 128 bytes
  }
}
