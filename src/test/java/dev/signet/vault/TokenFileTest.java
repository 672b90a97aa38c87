package dev.signet.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import dev.signet.testing.LogCapture;
import dev.signet.testing.Poll;
import dev.signet.testing.VaultServer;
import dev.signet.testing.VaultTestServer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ca.vault.auth.method: token}, the Vault Agent pattern: the agent keeps a token in a file
 * and writes a new one when it logs in again; Signet uses the new token once the file changes,
 * not only at its next renewal, and keeps the current one while the file holds an unusable one.
 */
class TokenFileTest {
  @TempDir Path dir;

  @Test
  void aNewTokenInTheFileIsUsedAndAnUnusableOneIsNot() throws Exception {
    try (VaultServer vault = VaultTestServer.start()) {
      Path tokenFile = Files.writeString(dir.resolve("token"), newToken(vault));
      SignetConfig.Vault config = ConfigLoader.withDefaults().set("ca.source=vault-kv")
          .set("ca.vault.address=" + vault.address()).set("ca.vault.allow-insecure-http=true")
          .set("ca.vault.auth.method=token").set("ca.vault.auth.token-file=" + tokenFile)
          .load().ca().vault();
      VaultClient client = new VaultClient(config, VaultClient.httpClient(config),
          new VaultMetrics(new SimpleMeterRegistry()));
      try (VaultSession session = VaultSession.open(client, config.auth(), Clock.systemUTC());
          LogCapture log = LogCapture.of(VaultSession.class.getName())) {
        String first = session.token();
        // A one-hour token: its renewal is 40 minutes away, so only the file check can see it.
        String agentWrote = newToken(vault);
        Files.writeString(tokenFile, agentWrote);
        await(() -> session.token().equals(agentWrote), "the new token is used");
        assertThat(first).isNotEqualTo(agentWrote);

        Files.writeString(tokenFile, "hvs.not-a-token");
        await(() -> log.records().stream().anyMatch(r -> r.getLevel() == Level.WARNING
            && r.getMessage().contains("keeping the current token")), "the refusal is logged");
        assertThat(session.token()).isEqualTo(agentWrote);
        assertThat(log.messages()).noneMatch(m -> m.contains("hvs.not-a-token")
            || m.contains(agentWrote));
      }
    }
  }

  private static String newToken(VaultServer vault) {
    return vault.root("POST", "auth/token/create", "{\"policies\":[\"default\"],"
        + "\"ttl\":\"1h\",\"renewable\":true}").get("auth").asObject()
        .getString("client_token", "");
  }

  /** Waits, with a bound, for a condition the session's own thread makes true. */
  private static void await(BooleanSupplier done, String what) {
    Poll.until(done, VaultSession.TOKEN_FILE_CHECK.multipliedBy(6), what);
  }
}
