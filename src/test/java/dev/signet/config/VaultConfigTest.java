package dev.signet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.config.SignetConfig.CaSourceKind;
import dev.signet.config.SignetConfig.ChainSource;
import dev.signet.config.SignetConfig.VaultAuthMethod;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The ca.vault.* keys: parsing, defaults and the checks that name the key to fix. */
class VaultConfigTest {
  private static ConfigLoader vault(String source) {
    return ConfigLoader.withDefaults().set("ca.source=" + source);
  }

  @Test
  void hyphenatedSourcesAndTheDefaultsLoad() {
    SignetConfig c = vault("vault-transit").set("ca.vault.address=https://vault.example:8200")
        .set("ca.vault.auth.method=approle").set("ca.vault.auth.role-id=r")
        .set("ca.vault.auth.secret-id-file=/run/sid").load();
    assertThat(c.ca().source()).isEqualTo(CaSourceKind.VAULT_TRANSIT);
    SignetConfig.Vault v = c.ca().vault();
    assertThat(v.auth().method()).isEqualTo(VaultAuthMethod.APPROLE);
    assertThat(v.auth().effectiveMount()).isEqualTo("approle");
    assertThat(v.auth().secretIdFile()).contains(Path.of("/run/sid"));
    assertThat(v.transit().batchWindow()).isEqualTo(Duration.ofMillis(2));
    assertThat(v.transit().maxBatch()).isEqualTo(64);
    assertThat(v.transit().chainSource()).isEqualTo(ChainSource.KV);
    assertThat(v.pki().ttl()).isEqualTo(Duration.ofDays(90));
    assertThat(v.pki().renewRemaining()).isEqualTo(0.33);
    assertThat(v.maxRetries()).isEqualTo(2);
  }

  @Test
  void aVaultSourceNeedsAnAddressAndTheMethodsInputs() {
    assertThatThrownBy(() -> vault("vault-kv").load())
        .hasMessageContaining("ca.vault.address must be set for ca.source=vault-kv");
    assertThatThrownBy(() -> vault("vault-kv").set("ca.vault.address=http://127.0.0.1:8200")
        .set("ca.vault.auth.method=token").load())
        .hasMessageContaining("ca.vault.auth.token-file");
    assertThatThrownBy(() -> vault("vault-pki").set("ca.vault.address=http://127.0.0.1:8200")
        .set("ca.vault.auth.method=approle").load())
        .hasMessageContaining("ca.vault.auth.role-id");
  }

  @Test
  void badValuesNameTheirKey() {
    assertThatThrownBy(() -> vault("vault").load()).hasMessageContaining("ca.source")
        .hasMessageContaining("vault-transit");
    assertThatThrownBy(() -> vault("files").set("ca.vault.pki.renew-remaining=1.5").load())
        .hasMessageContaining("ca.vault.pki.renew-remaining");
    assertThatThrownBy(() -> vault("files").set("ca.vault.transit.batch-window=5s").load())
        .hasMessageContaining("ca.vault.transit.batch-window");
    assertThatThrownBy(() -> vault("files").set("ca.vault.address=ftp://x").set(
        "ca.source=vault-kv").load()).hasMessageContaining("ca.vault.address must be an http(s)");
    assertThatThrownBy(() -> vault("files").set("ca.vault.transit.chain-source=s3").load())
        .hasMessageContaining("ca.vault.transit.chain-source");
  }
}
