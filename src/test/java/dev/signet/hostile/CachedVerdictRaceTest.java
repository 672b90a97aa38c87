package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.auth.Authenticator;
import dev.signet.auth.CachingAuthenticator;
import dev.signet.auth.Caller;
import dev.signet.auth.Credentials;
import dev.signet.auth.JwtAuthenticator;
import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig.Jwt;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.dev.DevTokens;
import dev.signet.error.SignetException;
import dev.signet.testing.ManualClock;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 15a: a call is kept on the transport thread because its token's answer was
 * cached when it was dispatched ({@code answersAtOnce}); if that entry expires before
 * {@code authenticate}, the call must still get that answer, and never fall through to the
 * (possibly blocking) check behind the cache. The clock is moved between the two steps, which a
 * real server cannot be made to do on cue; the check behind the cache is the real JWT one.
 */
class CachedVerdictRaceTest {
  static final Duration MAX_TTL = Duration.ofSeconds(60);
  static final Duration NEGATIVE_TTL = Duration.ofSeconds(10);
  @TempDir Path dir;
  DevTokens tokens;
  ManualClock clock = new ManualClock();
  AtomicInteger behindTheCache = new AtomicInteger();
  CachingAuthenticator cache;

  @BeforeEach
  void setUp() throws Exception {
    tokens = DevTokens.open(dir);
    Authenticator jwt = JwtAuthenticator.create(new Jwt(ConfigLoader.DEV_ISSUER,
        Optional.of(dir.resolve(DevTokens.JWKS_FILE)), Optional.empty()), List.of("istio-ca"),
        "cluster.local", CryptoProvider.select(ProviderChoice.AUTO));
    Authenticator counted = new Authenticator() {
      @Override
      public Caller authenticate(Credentials credentials) {
        behindTheCache.incrementAndGet();
        return jwt.authenticate(credentials);
      }
    };
    cache = new CachingAuthenticator(counted, MAX_TTL, NEGATIVE_TTL, 1000, clock,
        new SimpleMeterRegistry(), Tags.empty());
  }

  @Test
  void aCallKeptOnTheTransportThreadNeverReachesTheCheckBehindTheCache() {
    String token = tokens.issue("shop", "cart", List.of("istio-ca"), Duration.ofMinutes(10));
    cache.authenticate(Credentials.ofToken(token, "", "127.0.0.1"));
    assertThat(behindTheCache).hasValue(1);

    Credentials call = Credentials.ofToken(token, "", "127.0.0.1");
    assertThat(cache.answersAtOnce(call)).as("dispatched to the transport thread").isTrue();
    clock.advance(MAX_TTL.plusSeconds(1)); // the entry expires between dispatch and check
    assertThat(cache.authenticate(call).identity().toString()).endsWith("/ns/shop/sa/cart");
    assertThat(behindTheCache).as("checks behind the cache").hasValue(1);
  }

  @Test
  void aRefusalFoundAtDispatchStaysTheAnswer() {
    String wrongAudience = tokens.issue("shop", "cart", List.of("other"), Duration.ofMinutes(10));
    assertThatThrownBy(() -> cache.authenticate(Credentials.ofToken(wrongAudience, "", "")))
        .isInstanceOf(SignetException.class);
    assertThat(behindTheCache).hasValue(1);

    Credentials call = Credentials.ofToken(wrongAudience, "", "");
    assertThat(cache.answersAtOnce(call)).isTrue();
    clock.advance(NEGATIVE_TTL.plusSeconds(1));
    assertThatThrownBy(() -> cache.authenticate(call))
        .isInstanceOfSatisfying(SignetException.class,
            e -> assertThat(e.kind()).isEqualTo(SignetException.Kind.UNAUTHENTICATED));
    assertThat(behindTheCache).hasValue(1);
  }
}
