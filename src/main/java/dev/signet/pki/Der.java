package dev.signet.pki;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * The few DER encodings Signet writes itself on the signing path. Each method returns a complete
 * tag-length-value; callers concatenate them with {@link #sequence}.
 */
public final class Der {
  public static final int SEQUENCE = 0x30;
  public static final int OCTET_STRING = 0x04;
  public static final int BIT_STRING = 0x03;
  public static final int INTEGER = 0x02;
  private static final byte[] TRUE = {0x01, 0x01, (byte) 0xFF};

  private Der() {}

  /** A TLV with the given tag around the concatenated parts. */
  public static byte[] tlv(int tag, byte[]... parts) {
    int len = 0;
    for (byte[] p : parts) {
      len += p.length;
    }
    byte[] out = new byte[1 + lengthOfLength(len) + len];
    out[0] = (byte) tag;
    int pos = writeLength(out, 1, len);
    for (byte[] p : parts) {
      System.arraycopy(p, 0, out, pos, p.length);
      pos += p.length;
    }
    return out;
  }

  /** SEQUENCE of the concatenated parts. */
  public static byte[] sequence(byte[]... parts) {
    return tlv(SEQUENCE, parts);
  }

  /** BOOLEAN TRUE. */
  public static byte[] booleanTrue() {
    return TRUE.clone();
  }

  /** INTEGER from big-endian two's-complement content already in minimal form. */
  public static byte[] integer(byte[] minimalTwosComplement) {
    return tlv(INTEGER, minimalTwosComplement);
  }

  /** BIT STRING with no unused bits. */
  public static byte[] bitString(byte[] bytes) {
    byte[] content = new byte[bytes.length + 1];
    System.arraycopy(bytes, 0, content, 1, bytes.length);
    return tlv(BIT_STRING, content);
  }

  /** An X.509 extension: SEQUENCE { OID, [critical TRUE], OCTET STRING { value } }. */
  public static byte[] extension(byte[] oid, boolean critical, byte[] value) {
    byte[] octets = tlv(OCTET_STRING, value);
    return critical ? sequence(oid, TRUE, octets) : sequence(oid, octets);
  }

  /**
   * An OBJECT IDENTIFIER from dotted form; arcs may be of any size (a UUID arc under 2.25 has
   * 128 bits). Not for the hot path: precompute constants.
   */
  public static byte[] oid(String dotted) {
    String[] arcs = dotted.split("\\.");
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    writeBase128(body, new BigInteger(arcs[0]).multiply(BigInteger.valueOf(40))
        .add(new BigInteger(arcs[1])));
    for (int i = 2; i < arcs.length; i++) {
      writeBase128(body, new BigInteger(arcs[i]));
    }
    return tlv(0x06, body.toByteArray());
  }

  /** GeneralizedTime {@code YYYYMMDDHHMMSSZ}, whole seconds, whatever the year. */
  public static byte[] generalizedTime(Instant instant) {
    return time(0x18, instant.atZone(ZoneOffset.UTC));
  }

  /** X.509 Time: UTCTime before 2050, GeneralizedTime from 2050 (RFC 5280 4.1.2.5). */
  public static byte[] time(Instant instant) {
    ZonedDateTime t = instant.atZone(ZoneOffset.UTC);
    return time(t.getYear() >= 2050 ? 0x18 : 0x17, t);
  }

  /** UTCTime (tag 0x17: two-digit year) or GeneralizedTime (0x18: four), whole seconds, Z. */
  private static byte[] time(int tag, ZonedDateTime t) {
    StringBuilder sb = new StringBuilder(15);
    if (tag == 0x18) {
      two(sb, t.getYear() / 100);
    }
    two(sb, t.getYear() % 100);
    two(sb, t.getMonthValue());
    two(sb, t.getDayOfMonth());
    two(sb, t.getHour());
    two(sb, t.getMinute());
    two(sb, t.getSecond());
    sb.append('Z');
    return tlv(tag, sb.toString().getBytes(StandardCharsets.US_ASCII));
  }

  private static void two(StringBuilder sb, int n) {
    sb.append((char) ('0' + n / 10)).append((char) ('0' + n % 10));
  }

  private static void writeBase128(ByteArrayOutputStream out, BigInteger v) {
    if (v.signum() < 0) {
      throw new IllegalArgumentException("an OID arc cannot be negative");
    }
    int groups = Math.max(1, (v.bitLength() + 6) / 7);
    for (int g = groups - 1; g >= 0; g--) {
      int b = v.shiftRight(7 * g).intValue() & 0x7F;
      out.write(g == 0 ? b : b | 0x80);
    }
  }

  private static int lengthOfLength(int len) {
    if (len < 0x80) {
      return 1;
    }
    if (len < 0x100) {
      return 2;
    }
    if (len < 0x10000) {
      return 3;
    }
    return len < 0x1000000 ? 4 : 5;
  }

  private static int writeLength(byte[] out, int pos, int len) {
    int n = lengthOfLength(len);
    if (n == 1) {
      out[pos] = (byte) len;
      return pos + 1;
    }
    out[pos++] = (byte) (0x80 | (n - 1));
    for (int i = n - 2; i >= 0; i--) {
      out[pos++] = (byte) (len >>> (8 * i));
    }
    return pos;
  }
}
