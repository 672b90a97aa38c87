package dev.signet.auth;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Timeout;

/**
 * The unverified {@code exp} reader the token cache uses, on arbitrary token text (UTF-8, cut at
 * 64 KiB): it answers an expiry or nothing, and never throws. Here rather than beside the other
 * targets in {@code dev.signet.fuzz} because {@link JwtExpiry} is package-private.
 */
class JwtExpiryFuzzTest {
  @FuzzTest
  @Timeout(10)
  void readsExpiryOrNothing(byte[] input) {
    String token = new String(Arrays.copyOf(input, Math.min(input.length, 64 * 1024)),
        StandardCharsets.UTF_8);
    assertThat(JwtExpiry.of(token)).isNotNull();
  }
}
