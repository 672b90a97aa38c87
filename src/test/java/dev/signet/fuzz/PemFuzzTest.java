package dev.signet.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.signet.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Timeout;

/**
 * The PEM reader on arbitrary text (the input after its first byte, as UTF-8). It may only refuse
 * with IllegalArgumentException; whatever it returns has a well-formed type and survives encoding
 * and decoding again unchanged.
 */
class PemFuzzTest {
  @FuzzTest
  @Timeout(10)
  void decodesOrRefusesAndRoundTrips(byte[] input) {
    String text = new String(FuzzInput.of(input).bytes(), StandardCharsets.UTF_8);
    List<Pem.Block> blocks;
    try {
      blocks = Pem.decodeAll(text);
    } catch (IllegalArgumentException e) {
      assertThat(e.getMessage()).isNotBlank();
      return;
    }
    StringBuilder again = new StringBuilder();
    for (Pem.Block b : blocks) {
      assertThat(b.type()).matches("[A-Z0-9 ]+");
      again.append(Pem.encode(b.type(), b.der()));
    }
    List<Pem.Block> reread = Pem.decodeAll(again.toString());
    assertThat(reread).hasSameSizeAs(blocks);
    for (int i = 0; i < blocks.size(); i++) {
      assertThat(reread.get(i).type()).isEqualTo(blocks.get(i).type());
      assertThat(reread.get(i).der()).isEqualTo(blocks.get(i).der());
    }
  }
}
