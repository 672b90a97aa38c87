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
 * certificate carries the proof time of the certificate it renewed forward, in a non-critical
 * private extension {@link #OID} whose value is a DER {@code GeneralizedTime}
 * ({@code YYYYMMDDHHMMSSZ}). See docs/architecture.md, "The leaf".
 */
public final class ProofTime {
  /**
   * Under the UUID arc (ITU-T X.667, no registration needed): UUID
   * 4628db55-8795-4d07-82cc-a5c39458e4be as an integer.
   */
  public static final String OID = "2.25.93258100203343487670474897855190983870";

  /** Leaves are backdated by this much to absorb clock skew between nodes (as Istio does). */
  public static final Duration BACKDATE = Duration.ofMinutes(2);

  private static final byte[] OID_DER = Der.oid(OID);
  private static final DateTimeFormatter GENERALIZED_TIME =
      DateTimeFormatter.ofPattern("uuuuMMddHHmmss'Z'");

  private ProofTime() {}

  /** The extension that carries {@code proofTime} (whole seconds), for a renewed leaf. */
  public static byte[] extension(Instant proofTime) {
    return Der.extension(OID_DER, false, Der.generalizedTime(proofTime));
  }

  /**
   * The proof time of a leaf Signet signed: the extension's value if it has one, else its
   * NotBefore plus {@link #BACKDATE}.
   *
   * @throws IllegalArgumentException when the extension is there but is not a GeneralizedTime
   */
  public static Instant of(X509Certificate leaf) {
    byte[] ext = leaf.getExtensionValue(OID);
    if (ext == null) {
      return leaf.getNotBefore().toInstant().plus(BACKDATE);
    }
    // OCTET STRING { GeneralizedTime "YYYYMMDDHHMMSSZ" }: 2 + 2 + 15 bytes, nothing else.
    if (ext.length != 19 || ext[0] != Der.OCTET_STRING || ext[1] != 17 || ext[2] != 0x18
        || ext[3] != 15) {
      throw new IllegalArgumentException("the proof-time extension is not a GeneralizedTime");
    }
    String text = new String(Arrays.copyOfRange(ext, 4, 19), StandardCharsets.US_ASCII);
    try {
      return LocalDateTime.parse(text, GENERALIZED_TIME).toInstant(ZoneOffset.UTC);
    } catch (DateTimeException e) {
      throw new IllegalArgumentException("the proof-time extension is not a GeneralizedTime");
    }
  }
}
