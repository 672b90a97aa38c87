package dev.signet.dev;

import static org.assertj.core.api.Assertions.assertThat;

import com.google.gson.JsonParser;
import dev.signet.auth.Caller;
import dev.signet.auth.Credentials;
import dev.signet.auth.JwtAuthenticator;
import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig.Jwt;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevTokensTest {
  @TempDir Path dir;

  @Test
  void tokensCarryTheirAudienceAsAnArrayAsKubernetesWritesIt() throws Exception {
    String token = DevTokens.open(dir).issue("shop", "cart", List.of("istio-ca"),
        Duration.ofMinutes(5));

    var payload = JsonParser.parseString(new String(
        Base64.getUrlDecoder().decode(token.split("\\.")[1]), StandardCharsets.UTF_8))
        .getAsJsonObject();
    assertThat(payload.get("aud").isJsonArray()).isTrue();
    assertThat(payload.get("aud").getAsJsonArray().get(0).getAsString()).isEqualTo("istio-ca");
    assertThat(header(token)).contains("\"ES256\"");
  }

  @Test
  void anRsaKeySignsRs256TokensThatSignetAccepts() throws Exception {
    String token = DevTokens.openRsa(dir).issue("shop", "cart", List.of("istio-ca"),
        Duration.ofMinutes(5));

    assertThat(header(token)).contains("\"RS256\"");
    assertThat(Files.readString(dir.resolve(DevTokens.JWKS_FILE))).contains("\"kty\":\"RSA\"");
    Caller caller = authenticator().authenticate(
        new Credentials(Optional.of(token), List.of(), ""));
    assertThat(caller.identity().toString())
        .isEqualTo("spiffe://cluster.local/ns/shop/sa/cart");
  }

  @Test
  void anExistingKeyIsKeptWhateverItsType() throws Exception {
    DevTokens.open(dir);
    String token = DevTokens.openRsa(dir).issue("shop", "cart", List.of("istio-ca"),
        Duration.ofMinutes(5));

    assertThat(header(token)).contains("\"ES256\"");
    assertThat(authenticator().authenticate(new Credentials(Optional.of(token), List.of(), "")))
        .isNotNull();
  }

  private JwtAuthenticator authenticator() throws Exception {
    return JwtAuthenticator.create(new Jwt(ConfigLoader.DEV_ISSUER,
        Optional.of(dir.resolve(DevTokens.JWKS_FILE)), Optional.empty()), List.of("istio-ca"),
        "cluster.local", CryptoProvider.select(ProviderChoice.AUTO));
  }

  private static String header(String token) {
    return new String(Base64.getUrlDecoder().decode(token.split("\\.")[0]),
        StandardCharsets.UTF_8);
  }
}
