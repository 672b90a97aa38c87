package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return Main.run(List.of(args), Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void printsTheBuildVersion() {
    assertThat(run("version")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).matches("signet \\d+\\.\\d+\\.\\d+.*\\n");
  }

  @Test
  void configCommandReportsABadKeyWithExitCode2() {
    assertThat(run("config", "--set", "server.admin-port=-1")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8))
        .contains("configuration error: server.admin-port must be a whole number");
  }

  @Test
  void configCommandPrintsTheCryptoProviderInUse() {
    assertThat(run("config", "--dev", "--set", "crypto.provider=bouncycastle")).isZero();
    assertThat(out.toString(StandardCharsets.UTF_8)).contains("crypto provider: BC");
  }

  @Test
  void tokenWithoutADevIssuerSaysHowToGetOne(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) {
    assertThat(run("token", "--dev-dir", dir.toString(), "--namespace", "a")).isEqualTo(1);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("start 'signet serve --dev' first");
  }

  @Test
  void tokenPrintsAServiceAccountJwt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
      throws Exception {
    dev.signet.dev.DevTokens.open(dir);
    assertThat(run("token", "--dev-dir", dir.toString(), "--namespace", "shop",
        "--service-account", "cart")).isZero();
    com.nimbusds.jwt.JWTClaimsSet claims = com.nimbusds.jwt.JWTParser
        .parse(out.toString(StandardCharsets.UTF_8).trim()).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo("system:serviceaccount:shop:cart");
    assertThat(claims.getAudience()).containsExactly("istio-ca");
  }

  @Test
  void requestWithoutATokenIsAUsageError() {
    assertThat(run("request", "--addr", "localhost:1")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("needs --token or --token-file");
  }

  @Test
  void unknownCommandShowsUsage() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err.toString(StandardCharsets.UTF_8)).contains("usage: signet");
  }
}
