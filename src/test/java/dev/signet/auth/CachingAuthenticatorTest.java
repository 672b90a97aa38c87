package dev.signet.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The token cache in front of the real JWT authenticator, with dev-issued tokens. */
class CachingAuthenticatorTest {
  @TempDir Path dir;
  DevTokens tokens;
  JwtAuthenticator jwt;
  Counted counted;
  SimpleMeterRegistry registry = new SimpleMeterRegistry();
  ManualClock clock = new ManualClock();
  static final Duration NEGATIVE_TTL = Duration.ofSeconds(10);

  /** The real authenticator, counting the checks that reach it and optionally held at a gate. */
  static final class Counted implements Authenticator {
    final Authenticator real;
    final AtomicInteger calls = new AtomicInteger();
    volatile CountDownLatch gate;

    Counted(Authenticator real) {
      this.real = real;
    }

    @Override
    public Caller authenticate(Credentials credentials) {
      calls.incrementAndGet();
      CountDownLatch g = gate;
      if (g != null) {
        try {
          g.await(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      return real.authenticate(credentials);
    }
  }

  @BeforeEach
  void setUp() throws Exception {
    tokens = DevTokens.open(dir);
    jwt = JwtAuthenticator.create(new Jwt(ConfigLoader.DEV_ISSUER,
        Optional.of(dir.resolve(DevTokens.JWKS_FILE)), Optional.empty()), List.of("istio-ca"),
        "cluster.local", CryptoProvider.select(ProviderChoice.AUTO));
    counted = new Counted(jwt);
  }

  /** A cache of up to 100 verdicts in front of {@link #counted}. */
  private CachingAuthenticator cache(Duration ttl) {
    return cache(counted, ttl, 100);
  }

  private CachingAuthenticator cache(Authenticator delegate, Duration ttl, int max) {
    return new CachingAuthenticator(delegate, ttl, NEGATIVE_TTL, max, clock, registry,
        Tags.of("cluster", "Kubernetes", "method", "jwt"));
  }

  private static Credentials bearer(String token, String cluster) {
    return new Credentials(Optional.of(token), List.of(), cluster);
  }

  private String token(String sa, Duration ttl) {
    return tokens.issue("shop", sa, List.of("istio-ca"), ttl);
  }

  private double count(String result) {
    return registry.get("signet.auth.cache.requests").tag("result", result).counter().count();
  }

  @Test
  void aSecondCallWithTheSameTokenIsAnsweredFromTheCache() {
    CachingAuthenticator auth = cache(Duration.ofSeconds(60));
    String t = token("cart", Duration.ofMinutes(10));
    Caller first = auth.authenticate(bearer(t, ""));
    Caller second = auth.authenticate(bearer(t, ""));
    assertThat(second).isEqualTo(first);
    assertThat(second.identity().toString()).isEqualTo("spiffe://cluster.local/ns/shop/sa/cart");
    assertThat(counted.calls).hasValue(1);
    assertThat(count("hit")).isEqualTo(1);
    assertThat(count("miss")).isEqualTo(1);
  }

  @Test
  void theSameTokenForAnotherClusterIsCheckedAgain() {
    CachingAuthenticator auth = cache(Duration.ofSeconds(60));
    String t = token("cart", Duration.ofMinutes(10));
    auth.authenticate(bearer(t, ""));
    auth.authenticate(bearer(t, "west"));
    assertThat(counted.calls).hasValue(2);
  }

  @Test
  void aVerdictIsForgottenAfterTheCeiling() {
    CachingAuthenticator auth = cache(Duration.ofSeconds(60));
    String t = token("cart", Duration.ofMinutes(10));
    auth.authenticate(bearer(t, ""));
    clock.advance(Duration.ofSeconds(59));
    auth.authenticate(bearer(t, ""));
    assertThat(counted.calls).hasValue(1);
    clock.advance(Duration.ofSeconds(2));
    auth.authenticate(bearer(t, ""));
    assertThat(counted.calls).hasValue(2);
  }

  @Test
  void aVerdictNeverOutlivesTheTokensOwnExpiry() {
    CachingAuthenticator auth = cache(Duration.ofSeconds(60));
    String t = token("cart", Duration.ofSeconds(20));
    auth.authenticate(bearer(t, ""));
    clock.advance(Duration.ofSeconds(21));
    auth.authenticate(bearer(t, ""));
    assertThat(counted.calls).hasValue(2);
  }

  @Test
  void aRefusalIsRememberedForTheNegativeTtlOnly() {
    CachingAuthenticator auth = cache(Duration.ofSeconds(60));
    String wrongAudience = tokens.issue("shop", "cart", List.of("other"), Duration.ofMinutes(5));
    for (int i = 0; i < 2; i++) {
      assertThatThrownBy(() -> auth.authenticate(bearer(wrongAudience, "")))
          .isInstanceOfSatisfying(SignetException.class,
              e -> assertThat(e.kind()).isEqualTo(SignetException.Kind.UNAUTHENTICATED));
    }
    assertThat(counted.calls).hasValue(1);
    assertThat(count("refused")).isEqualTo(1);
    clock.advance(NEGATIVE_TTL.plusSeconds(1));
    assertThatThrownBy(() -> auth.authenticate(bearer(wrongAudience, "")))
        .isInstanceOf(SignetException.class);
    assertThat(counted.calls).hasValue(2);
  }

  @Test
  void aCachedAnswerFoundAtDispatchIsTheAnswerEvenIfItExpiresBeforeAuthentication() {
    CachingAuthenticator auth = cache(Duration.ofSeconds(60));
    String t = token("cart", Duration.ofMinutes(10));
    auth.authenticate(bearer(t, ""));
    Credentials request = bearer(t, "");
    assertThat(auth.answersAtOnce(request)).isTrue();
    clock.advance(Duration.ofSeconds(61));
    assertThat(auth.authenticate(request).identity().toString()).endsWith("/sa/cart");
    assertThat(counted.calls).hasValue(1);
  }

  @Test
  void concurrentCallsWithOneTokenShareOneCheck() throws Exception {
    counted.gate = new CountDownLatch(1);
    CachingAuthenticator auth = cache(Duration.ofSeconds(60));
    String t = token("cart", Duration.ofMinutes(10));
    ExecutorService pool = Executors.newFixedThreadPool(8);
    try {
      List<Future<Caller>> calls = new java.util.ArrayList<>();
      for (int i = 0; i < 8; i++) {
        calls.add(pool.submit(() -> auth.authenticate(bearer(t, ""))));
      }
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
      while (counted.calls.get() == 0 && System.nanoTime() < deadline) {
        Thread.onSpinWait();
      }
      counted.gate.countDown();
      for (Future<Caller> f : calls) {
        assertThat(f.get(10, TimeUnit.SECONDS).identity().toString()).endsWith("/sa/cart");
      }
      assertThat(counted.calls).hasValue(1);
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void holdsNoMoreThanItsLimit() {
    CachingAuthenticator auth = cache(jwt, Duration.ofSeconds(60), 2);
    for (String sa : List.of("a", "b", "c", "d")) {
      auth.authenticate(bearer(token(sa, Duration.ofMinutes(10)), ""));
    }
    assertThat(registry.get("signet.auth.cache.entries").gauge().value()).isEqualTo(2);
  }

  @Test
  void aZeroTtlTurnsTheCacheOff() {
    CachingAuthenticator auth = cache(Duration.ZERO);
    String t = token("cart", Duration.ofMinutes(10));
    auth.authenticate(bearer(t, ""));
    auth.authenticate(bearer(t, ""));
    assertThat(counted.calls).hasValue(2);
  }
}
