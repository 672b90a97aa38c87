package dev.signet.pki;

import static org.assertj.core.api.Assertions.assertThat;

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
}
