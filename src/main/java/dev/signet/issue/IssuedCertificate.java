package dev.signet.issue;

import dev.signet.pki.Pem;
import java.math.BigInteger;
import java.time.Instant;
import java.util.HexFormat;

/** A certificate Signet signed, as DER, with the facts the audit log and metrics need. */
public record IssuedCertificate(byte[] der, BigInteger serial, Instant notBefore,
    Instant notAfter) {
  public IssuedCertificate {
    der = der.clone();
  }

  @Override
  public byte[] der() {
    return der.clone();
  }

  /** The certificate as PEM ending with a newline. */
  public String pem() {
    return Pem.encode("CERTIFICATE", der);
  }

  /**
   * The serial number as {@code openssl x509 -serial} prints it, and as the audit log writes it:
   * upper-case hex of every byte of its magnitude (the DER INTEGER's content without a sign
   * byte), so the digit count is even and a leading zero nibble is kept ({@code 0ABC}).
   */
  public String serialHex() {
    return serialHex(serial);
  }

  /** {@link #serialHex()} of any positive serial. */
  public static String serialHex(BigInteger serial) {
    byte[] b = serial.toByteArray();
    int from = b.length > 1 && b[0] == 0 ? 1 : 0;
    return HexFormat.of().withUpperCase().formatHex(b, from, b.length);
  }
}
