package dev.signet.auth;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * A SHA-256 of a cluster id and a token: equal keys are the same token for the same cluster. It
 * stands for the token wherever one must be remembered (the token cache, the per-peer limits),
 * so the token itself is never stored.
 */
record TokenKey(long a, long b, long c, long d) {
  private static final ThreadLocal<MessageDigest> SHA256 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("the JDK has no SHA-256", e);
    }
  });

  static TokenKey of(String clusterId, String token) {
    MessageDigest sha = SHA256.get();
    sha.update(clusterId.getBytes(StandardCharsets.UTF_8));
    sha.update((byte) 0);
    ByteBuffer d = ByteBuffer.wrap(sha.digest(token.getBytes(StandardCharsets.UTF_8)));
    return new TokenKey(d.getLong(), d.getLong(), d.getLong(), d.getLong());
  }
}
