package dev.signet.issue;

import static org.assertj.core.api.Assertions.assertThat;

import java.math.BigInteger;
import org.junit.jupiter.api.Test;

/**
 * Serials are printed as {@code openssl x509 -serial} prints them (checked by hand with
 * OpenSSL 3.0: {@code -set_serial 0x0abc} prints {@code serial=0ABC}, {@code 0x80112233} prints
 * {@code 80112233}, {@code 0x00ff00} prints {@code FF00}): every byte of the magnitude, upper
 * case.
 */
class SerialHexTest {
  @Test
  void wholeBytesUpperCaseLeadingZeroNibbleKeptNoSignByte() {
    assertThat(IssuedCertificate.serialHex(BigInteger.valueOf(0x0ABC))).isEqualTo("0ABC");
    assertThat(IssuedCertificate.serialHex(BigInteger.valueOf(0x80112233L)))
        .isEqualTo("80112233");
    assertThat(IssuedCertificate.serialHex(BigInteger.valueOf(0xFF00))).isEqualTo("FF00");
    assertThat(IssuedCertificate.serialHex(BigInteger.valueOf(0x0102))).isEqualTo("0102");
    assertThat(IssuedCertificate.serialHex(BigInteger.ONE)).isEqualTo("01");
  }

  @Test
  void a128BitSerialKeepsEveryDigit() {
    // Top byte 0x0F: BigInteger.toString(16) would drop the leading zero (31 digits).
    BigInteger serial = new BigInteger("0F" + "00".repeat(14) + "01", 16);
    assertThat(serial.toString(16)).hasSize(31);
    assertThat(IssuedCertificate.serialHex(serial)).isEqualTo("0F" + "00".repeat(14) + "01");
    BigInteger high = new BigInteger("80" + "11".repeat(15), 16);
    assertThat(new IssuedCertificate(new byte[0], high, java.time.Instant.EPOCH,
        java.time.Instant.EPOCH).serialHex()).isEqualTo("80" + "11".repeat(15));
  }
}
