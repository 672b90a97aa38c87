package dev.signet.bench;

import dev.signet.auth.CachingAuthenticator;
import dev.signet.auth.Caller;
import dev.signet.auth.Credentials;
import dev.signet.auth.JwtAuthenticator;
import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig.Jwt;
import dev.signet.dev.DevTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** Verifying a service-account JWT (ES256) against a JWKS file, uncached and cached. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class TokenBench {
  private JwtAuthenticator jwt;
  private CachingAuthenticator cached;
  private Credentials credentials;
  private String token;

  @Setup
  public void setUp() throws IOException {
    Path dir = Files.createTempDirectory("signet-bench-tokens");
    DevTokens tokens = DevTokens.open(dir);
    jwt = JwtAuthenticator.create(new Jwt(ConfigLoader.DEV_ISSUER,
        Optional.of(dir.resolve(DevTokens.JWKS_FILE)), Optional.empty()), List.of("istio-ca"),
        "cluster.local", Fixtures.provider("native"));
    token = tokens.issue("bench", "load", List.of("istio-ca"), Duration.ofHours(1));
    credentials = new Credentials(Optional.of(token), List.of(), "");
    cached = new CachingAuthenticator(jwt, Duration.ofSeconds(60), Duration.ofSeconds(10),
        100_000, Clock.systemUTC(),
        new SimpleMeterRegistry(), Tags.of("method", "jwt"));
  }

  @Benchmark
  public Caller verifyJwt() {
    return jwt.authenticate(credentials);
  }

  /**
   * A renewal whose token was verified before: a SHA-256 of the token and a map look-up. Each
   * request brings its own Credentials, which remember their key, so each call makes new ones.
   */
  @Benchmark
  public Caller cachedJwt() {
    return cached.authenticate(new Credentials(Optional.of(token), List.of(), ""));
  }
}
