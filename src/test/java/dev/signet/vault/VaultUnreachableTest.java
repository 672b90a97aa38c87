package dev.signet.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * With nothing listening at Vault's address: start-up and calls fail with UNAVAILABLE naming the
 * address and what to do, after the configured retries only, and never quoting the token.
 */
class VaultUnreachableTest {
  private static final String TOKEN = "hvs.not-a-real-token-but-secret";
  @TempDir Path dir;

  private SignetConfig config(String... extra) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      port = s.getLocalPort(); // closed again: nothing listens there
    }
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, TOKEN);
    ConfigLoader l = ConfigLoader.withDefaults().set("ca.source=vault-transit")
        .set("ca.vault.address=http://127.0.0.1:" + port)
        .set("ca.vault.allow-insecure-http=true")
        .set("ca.vault.auth.method=token").set("ca.vault.auth.token-file=" + tokenFile)
        .set("ca.vault.timeout=1s");
    for (String e : extra) {
      l.set(e);
    }
    return l.load();
  }

  @Test
  void startUpFailsWithTheAddressAndNoToken() throws IOException {
    SignetConfig c = config();
    assertThatThrownBy(() -> VaultCaSources.open(c.ca(), CryptoProvider.select(
        c.crypto().provider()), new SimpleMeterRegistry(), a -> { }))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot log in to Vault at " + c.ca().vault().address())
        .hasMessageContaining("could not be reached")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain(TOKEN));
  }

  @Test
  void callsFailAsUnavailableAfterTheRetriesOnly() throws IOException {
    SignetConfig c = config("ca.vault.max-retries=2");
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    VaultClient client = new VaultClient(c.ca().vault(), VaultClient.httpClient(c.ca().vault()),
        new VaultMetrics(registry));
    RuntimeException e = org.junit.jupiter.api.Assertions.assertThrows(RuntimeException.class,
        () -> client.readWithToken("transit key", "transit/keys/signet-ca", TOKEN));
    SignetException s = VaultClient.unavailable("reading the key", e);
    assertThat(s.kind()).isEqualTo(SignetException.Kind.UNAVAILABLE);
    assertThat(s.getMessage()).contains("transit/keys/signet-ca").doesNotContain(TOKEN);
    // One timer sample per call (not per attempt), outcome "unreachable".
    assertThat(registry.get("signet_vault_call").tag("outcome", "unreachable").timer().count())
        .isEqualTo(1);
  }
}
