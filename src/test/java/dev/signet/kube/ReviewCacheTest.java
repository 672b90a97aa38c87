package dev.signet.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.auth.Caller;
import dev.signet.spiffe.SpiffeId;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ReviewCacheTest {
  private static final Caller CART = new Caller(SpiffeId.of("cluster.local", "shop", "cart"),
      "tokenreview", Optional.empty());

  @Test
  void entriesExpireAndTheSizeStaysBounded() {
    ReviewCache cache = new ReviewCache(100);
    cache.put("a", CART, 0, 1_000);
    assertThat(cache.get("a", 999)).isEqualTo(CART);
    assertThat(cache.get("a", 1_000)).isNull();
    for (int i = 0; i < 1_000; i++) {
      cache.put("k" + i, CART, 0, 1_000_000);
    }
    assertThat(cache.size()).isLessThanOrEqualTo(100);
    assertThat(cache.get("k999", 1)).isEqualTo(CART);
  }

  @Test
  void nothingIsCachedPastItsExpiry() {
    ReviewCache cache = new ReviewCache(10);
    cache.put("gone", CART, 5, 5);
    assertThat(cache.get("gone", 4)).isNull();
  }

  @Test
  void keysAreHashesAndExpiryIsReadFromThePayload() {
    String key = TokenFacts.key("header.payload.signature");
    assertThat(key).hasSize(64).doesNotContain("payload");
    String payload = java.util.Base64.getUrlEncoder().withoutPadding()
        .encodeToString("{\"aud\":[\"istio-ca\"],\"exp\":1790000000,\"iat\":1}".getBytes());
    assertThat(TokenFacts.expiry("e30." + payload + ".sig")).isEqualTo(OptionalLong.of(1790000000L));
    assertThat(TokenFacts.expiry("not-a-jwt")).isEmpty();
  }
}
