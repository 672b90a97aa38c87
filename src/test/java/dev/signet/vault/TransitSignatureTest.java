package dev.signet.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Base64;
import org.junit.jupiter.api.Test;

/** Parsing of Transit's {@code vault:v<N>:<base64>} signatures: the version is never assumed. */
class TransitSignatureTest {
  @Test
  void theKeyVersionIsParsedNotAssumed() {
    byte[] sig = {1, 2, 3, (byte) 0xFF};
    TransitBatcher.Signed s = TransitBatcher.parse("vault:v12:"
        + Base64.getEncoder().encodeToString(sig));
    assertThat(s.keyVersion()).isEqualTo(12);
    assertThat(s.signature()).containsExactly(sig);
  }

  @Test
  void malformedSignaturesAreRefused() {
    assertThatThrownBy(() -> TransitBatcher.parse("AAAA")).hasMessageContaining("prefix");
    assertThatThrownBy(() -> TransitBatcher.parse("vault:vx:AAAA")).hasMessageContaining("number");
    assertThatThrownBy(() -> TransitBatcher.parse("vault:v1")).hasMessageContaining("separator");
  }
}
