package dev.signet.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import dev.signet.error.SignetException;
import dev.signet.testing.VaultContainerServer;
import dev.signet.testing.VaultServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Batching against a real Vault Transit: one call for many digests, per-item failures isolated. */
class TransitBatcherTest {
  @TempDir Path dir;

  @Test
  void oneBadItemFailsOnlyItsOwnRequestInASharedBatch() throws Exception {
    try (VaultServer vault = VaultContainerServer.start()) {
      vault.root("POST", "transit/keys/k", "{\"type\":\"ecdsa-p256\"}");
      Path tokenFile = dir.resolve("token");
      Files.writeString(tokenFile, vault.rootToken());
      SignetConfig.Vault config = ConfigLoader.withDefaults().set("ca.source=vault-transit")
          .set("ca.vault.address=" + vault.address()).set("ca.vault.allow-insecure-http=true")
          .set("ca.vault.auth.method=token")
          .set("ca.vault.auth.token-file=" + tokenFile).load().ca().vault();
      SimpleMeterRegistry registry = new SimpleMeterRegistry();
      VaultMetrics metrics = new VaultMetrics(registry);
      VaultClient client = new VaultClient(config, VaultClient.httpClient(config), metrics);
      try (VaultSession session = VaultSession.open(client, config.auth(), Clock.systemUTC());
          TransitBatcher batcher = new TransitBatcher(client, metrics, "transit", "k",
              Map.of("prehashed", true, "hash_algorithm", "sha2-256",
                  "marshaling_algorithm", "asn1"), Duration.ofMillis(200), 16, 64)) {
        assertThat(session.token()).isEqualTo(vault.rootToken()); // logged in from the file
        List<CompletableFuture<TransitBatcher.Signed>> good = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
          good.add(batcher.submit(new byte[32]));
        }
        CompletableFuture<TransitBatcher.Signed> bad = batcher.submitInput("not base64!");
        for (CompletableFuture<TransitBatcher.Signed> f : good) {
          TransitBatcher.Signed s = f.get(30, TimeUnit.SECONDS);
          assertThat(s.keyVersion()).isEqualTo(1);
          assertThat(s.signature()).isNotEmpty();
        }
        try {
          bad.get(30, TimeUnit.SECONDS);
          throw new AssertionError("the bad item was signed");
        } catch (ExecutionException e) {
          assertThat(e.getCause()).isInstanceOf(SignetException.class)
              .hasMessageContaining("refused this signature");
          assertThat(((SignetException) e.getCause()).kind())
              .isEqualTo(SignetException.Kind.UNAVAILABLE);
        }
        // All six went in one batch_input call (the 200 ms window collected them).
        assertThat(registry.get("signet_vault_transit_batch_size").summary().count())
            .isEqualTo(1);
        assertThat(registry.get("signet_vault_transit_batch_size").summary().totalAmount())
            .isEqualTo(6);
      }
    }
  }
}
