package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.config.ConfigException;
import dev.signet.config.ConfigLoader;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 14: a plain {@code http://} JWKS URL or Vault address lets anyone on the network
 * path substitute the token keys or read Signet's Vault token, so start-up refuses it unless
 * the operator opts in, and the refusal names the key and the opt-in.
 */
class PlainHttpRefusedTest {
  @Test
  void plainHttpNeedsAnExplicitOptIn() {
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .set("auth.jwt.jwks-url=http://keys.example/jwks").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.jwt.jwks-url").hasMessageContaining("http://")
        .hasMessageContaining("auth.jwt.allow-insecure-http=true");
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .set("auth.clusters=id=west;kind=jwt;jwks-url=http://west.example/jwks").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("auth.clusters[west].jwks-url")
        .hasMessageContaining("auth.jwt.allow-insecure-http=true");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("ca.source=vault-kv")
        .set("ca.vault.address=http://vault.example:8200").set("ca.vault.auth.method=token")
        .set("ca.vault.auth.token-file=/t").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("ca.vault.address").hasMessageContaining("http://")
        .hasMessageContaining("ca.vault.allow-insecure-http=true");

    // With the opt-in, and always with https, the same settings load.
    assertThat(ConfigLoader.withDefaults().set("auth.jwt.jwks-url=http://keys.example/jwks")
        .set("auth.jwt.allow-insecure-http=true").load().auth().jwt().jwksUrl()).isPresent();
    assertThat(ConfigLoader.withDefaults()
        .set("auth.clusters=id=west;kind=jwt;jwks-url=http://west.example/jwks")
        .set("auth.jwt.allow-insecure-http=true").load().auth().clusters()).hasSize(1);
    assertThat(ConfigLoader.withDefaults().set("ca.source=vault-kv")
        .set("ca.vault.address=http://vault.example:8200").set("ca.vault.auth.method=token")
        .set("ca.vault.auth.token-file=/t").set("ca.vault.allow-insecure-http=true").load()
        .ca().vault().address().getScheme()).isEqualTo("http");
    assertThat(ConfigLoader.withDefaults().set("auth.jwt.jwks-url=https://keys.example/jwks")
        .load().auth().jwt().jwksUrl()).isPresent();
  }
}
