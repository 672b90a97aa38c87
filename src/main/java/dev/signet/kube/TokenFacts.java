package dev.signet.kube;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.HexFormat;
import java.util.OptionalLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Signet reads from a token without trusting it: a SHA-256 key for caches, and the
 * {@code exp} claim, used only to shorten how long a review the API server accepted is reused.
 */
final class TokenFacts {
  private static final Pattern EXP = Pattern.compile("\"exp\"\\s*:\\s*(\\d{1,19})");
  private static final HexFormat HEX = HexFormat.of();
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from the JDK", e);
    }
  });

  private TokenFacts() {}

  /** The cache key of a token: its SHA-256, hex. The token itself is never kept. */
  static String key(String token) {
    MessageDigest md = SHA256.get();
    md.reset();
    return HEX.formatHex(md.digest(token.getBytes(StandardCharsets.US_ASCII)));
  }

  /** The token's {@code exp} (epoch seconds) when it is a JWT that has one. */
  static OptionalLong expiry(String token) {
    int first = token.indexOf('.');
    int second = first < 0 ? -1 : token.indexOf('.', first + 1);
    if (second < 0) {
      return OptionalLong.empty();
    }
    String payload;
    try {
      payload = new String(Base64.getUrlDecoder().decode(token.substring(first + 1, second)),
          StandardCharsets.UTF_8);
    } catch (IllegalArgumentException e) {
      return OptionalLong.empty();
    }
    Matcher m = EXP.matcher(payload);
    if (!m.find()) {
      return OptionalLong.empty();
    }
    try {
      return OptionalLong.of(Long.parseLong(m.group(1)));
    } catch (NumberFormatException e) {
      return OptionalLong.empty();
    }
  }
}
