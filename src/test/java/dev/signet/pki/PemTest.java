package dev.signet.pki;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class PemTest {
  @Test
  void encodesAndDecodesBlocksInOrder() {
    byte[] a = {1, 2, 3};
    byte[] b = new byte[100];
    String text = "junk\n" + Pem.encode("CERTIFICATE", a) + Pem.encode("PUBLIC KEY", b);
    List<Pem.Block> blocks = Pem.decodeAll(text);
    assertThat(blocks).extracting(Pem.Block::type).containsExactly("CERTIFICATE", "PUBLIC KEY");
    assertThat(blocks.get(0).der()).containsExactly(a);
    assertThat(blocks.get(1).der()).hasSize(100);
    assertThat(Pem.encode("X", b)).endsWith("-----END X-----\n");
  }

  @Test
  void decodesBlocksWrappedWithCrLfAndIndentation() {
    byte[] der = new byte[200];
    new java.util.Random(7).nextBytes(der);
    String crlf = "  " + Pem.encode("CERTIFICATE REQUEST", der).replace("\n", "\r\n  ");
    assertThat(Pem.decodeAll(crlf)).singleElement().satisfies(b -> {
      assertThat(b.type()).isEqualTo("CERTIFICATE REQUEST");
      assertThat(b.der()).containsExactly(der);
    });
  }

  @Test
  void refusesABlockWithoutItsEndLine() {
    String cut = Pem.encode("CERTIFICATE", new byte[10]).replace("-----END CERTIFICATE-----", "");
    assertThatThrownBy(() -> Pem.decodeAll(cut)).isInstanceOf(IllegalArgumentException.class)
        .hasMessage("PEM block CERTIFICATE has no END line");
  }

  @Test
  void refusesAnEndLineForAnotherType() {
    String mixed = Pem.encode("CERTIFICATE", new byte[10]).replace("END CERTIFICATE",
        "END PUBLIC KEY");
    assertThatThrownBy(() -> Pem.decodeAll(mixed)).hasMessage("PEM block CERTIFICATE has no END line");
  }

  @Test
  void refusesCharactersThatAreNotBase64() {
    String bad = Pem.encode("CERTIFICATE", new byte[30]).replace("AAAA", "AA*A");
    assertThatThrownBy(() -> Pem.decodeAll(bad)).hasMessage("PEM block CERTIFICATE is not valid base64");
  }

  @Test
  void refusesALowerCaseType() {
    assertThatThrownBy(() -> Pem.decodeAll("-----BEGIN cert-----\nAAAA\n-----END cert-----\n"))
        .hasMessage("a PEM block type may hold only A-Z, 0-9 and spaces");
  }

  @Test
  void certificatesReportsAMalformedBlockAsACertificateException() {
    assertThatThrownBy(() -> Pem.certificates("-----BEGIN CERTIFICATE-----\nAAAA"))
        .isInstanceOf(java.security.cert.CertificateException.class);
  }
}
