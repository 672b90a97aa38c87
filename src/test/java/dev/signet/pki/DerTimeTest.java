package dev.signet.pki;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.Date;
import java.util.Random;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.DERGeneralizedTime;
import org.bouncycastle.asn1.x509.Time;
import org.junit.jupiter.api.Test;

/** The hand-written X.509 times are byte for byte what Bouncy Castle writes. */
class DerTimeTest {
  @Test
  void timesEncodeAsBouncyCastleEncodesThem() throws Exception {
    Random random = new Random(20261129);
    long from = Instant.parse("1990-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("2100-01-01T00:00:00Z").getEpochSecond();
    for (int i = 0; i < 2000; i++) {
      assertSame(Instant.ofEpochSecond(from + (long) (random.nextDouble() * (to - from))));
    }
    for (String edge : new String[] {"2049-12-31T23:59:59Z", "2050-01-01T00:00:00Z",
        "2000-02-29T12:00:00Z", "2026-11-29T00:00:00Z"}) {
      assertSame(Instant.parse(edge));
    }
  }

  private static void assertSame(Instant t) throws Exception {
    Date d = Date.from(t);
    assertThat(Der.time(t)).as("time %s", t)
        .isEqualTo(new Time(d).getEncoded(ASN1Encoding.DER));
    assertThat(Der.generalizedTime(t)).as("generalizedTime %s", t)
        .isEqualTo(new DERGeneralizedTime(d).getEncoded(ASN1Encoding.DER));
  }
}
