package dev.signet.issue;

import dev.signet.pki.Pem;
import java.math.BigInteger;
import java.time.Instant;

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

  /** The serial number in lower-case hex, as in the audit log. */
  public String serialHex() {
    return serial.toString(16);
  }
}
