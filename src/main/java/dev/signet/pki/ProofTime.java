package dev.signet.pki;

import java.nio.charset.StandardCharsets;
import java.security.cert.X509Certificate;
import java.time.DateTimeException;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * When the identity in a workload certificate Signet issued was last proved with a token. A
 * leaf issued for a token carries no marker: its proof time is its NotBefore plus the
 * {@link #BACKDATE} Signet subtracted from it. A leaf issued by renewal with a client
 * certificate carries the proof time of the certificate it renewed forward, as the one attribute
 * of a non-critical SubjectDirectoryAttributes extension (RFC 5280 4.2.1.8): attribute type
 * {@link #OID}, one {@code GeneralizedTime} value ({@code YYYYMMDDHHMMSSZ}). See
 * docs/architecture.md, "The leaf".
 *
 * <p>Why inside SubjectDirectoryAttributes rather than as an extension of its own: Go's
 * crypto/x509 (istio-agent) refuses to parse a certificate with an extension whose OID has an
 * arc above 2^31 ("malformed extension OID field"), and a UUID arc has 128 bits; it reads the
 * values of extensions it does not know as opaque bytes.
 */
public final class ProofTime {
  /**
   * The attribute type, under the UUID arc (ITU-T X.667, no registration needed): UUID
   * 4628db55-8795-4d07-82cc-a5c39458e4be as an integer.
   */
  public static final String OID = "2.25.93258100203343487670474897855190983870";

  /** id-ce-subjectDirectoryAttributes, the extension that carries the attribute. */
  public static final String EXTENSION_OID = "2.5.29.9";

  /** Leaves are backdated by this much to absorb clock skew between nodes (as Istio does). */
  public static final Duration BACKDATE = Duration.ofMinutes(2);

  private static final byte[] EXTENSION_OID_DER = Der.oid(EXTENSION_OID);
  private static final byte[] OID_DER = Der.oid(OID);
  private static final int TIME_CHARS = 15;
  /** The extension value's DER up to the time's characters: every byte before them is fixed. */
  private static final byte[] VALUE_PREFIX;
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("uuuuMMddHHmmss'Z'");

  static {
    byte[] template = value(Instant.EPOCH);
    VALUE_PREFIX = Arrays.copyOf(template, template.length - TIME_CHARS);
  }

  private ProofTime() {}

  /** The extension that carries {@code proofTime} (whole seconds), for a renewed leaf. */
  public static byte[] extension(Instant proofTime) {
    return Der.extension(EXTENSION_OID_DER, false, value(proofTime));
  }

  /** SEQUENCE { SEQUENCE { OID, SET { GeneralizedTime } } }. */
  private static byte[] value(Instant proofTime) {
    return Der.sequence(Der.sequence(OID_DER, Der.tlv(0x31, Der.generalizedTime(proofTime))));
  }

  /**
   * The proof time of a leaf Signet signed: the attribute's value if it has the extension, else
   * its NotBefore plus {@link #BACKDATE}.
   *
   * @throws IllegalArgumentException when the extension is there but is not exactly what Signet
   *     writes
   */
  public static Instant of(X509Certificate leaf) {
    byte[] ext = leaf.getExtensionValue(EXTENSION_OID);
    if (ext == null) {
      return leaf.getNotBefore().toInstant().plus(BACKDATE);
    }
    // OCTET STRING { value }: the value is short, so its length takes one byte.
    int valueLength = VALUE_PREFIX.length + TIME_CHARS;
    if (ext.length != 2 + valueLength || ext[0] != Der.OCTET_STRING || ext[1] != valueLength
        || !Arrays.equals(ext, 2, 2 + VALUE_PREFIX.length, VALUE_PREFIX, 0,
            VALUE_PREFIX.length)) {
      throw new IllegalArgumentException("the proof-time extension is not Signet's");
    }
    String text = new String(ext, ext.length - TIME_CHARS, TIME_CHARS,
        StandardCharsets.US_ASCII);
    try {
      return LocalDateTime.parse(text, GENERALIZED_TIME).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("the proof-time extension is not a GeneralizedTime");
    }
  }
}
