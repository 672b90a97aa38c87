package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.signet.client.SignetClient;
import dev.signet.testing.VaultContainerServer;
import dev.signet.testing.VaultServer;
import dev.signet.vault.VaultSetup;
import dev.signet.vault.VaultSignet;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 13 (Vault): a caller whose request failed on Vault learns nothing about Signet's
 * inside (Vault's address, paths, policies, Vault's own error text); the operator finds it in
 * the log, without a stack trace. Against a real Vault that refuses (403) and then is gone.
 */
class VaultInternalsHiddenTest {
  private static final String TOLD = "the CA key store is unavailable; retry";

  @TempDir Path dir;

  @Test
  void callersGetAShortMessageAndTheLogGetsTheDetails() throws Exception {
    List<LogRecord> logged = new CopyOnWriteArrayList<>();
    Handler capture = new Handler() {
      @Override
      public void publish(LogRecord r) {
        logged.add(r);
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
    Logger vaultLogs = Logger.getLogger("dev.signet.vault");
    vaultLogs.addHandler(capture);
    try (VaultServer vault = VaultContainerServer.start()) {
      VaultSetup setup = VaultSetup.run(vault);
      List<String> settings = new ArrayList<>(List.of(setup.approle("transit", dir)));
      settings.addAll(List.of("ca.vault.kv.path=signet/transit-chain",
          "ca.vault.transit.poll-interval=1h", "ca.vault.timeout=1s", "ca.vault.max-retries=0"));
      try (VaultSignet signet = VaultSignet.start(dir, "vault-transit",
              settings.toArray(String[]::new));
          SignetClient client = signet.client()) {
        String token = signet.token();
        VaultSignet.issueAndVerify(client, token, signet.roots());
        String port = vault.address().substring(vault.address().lastIndexOf(':') + 1);

        // Vault refuses: its answer names the path and the policy.
        String policy = Files.readString(Path.of("deploy/vault/signet-transit.hcl"))
            .replace("path \"transit/sign/signet-ca\"", "path \"transit/sign/nothing\"");
        vault.root("PUT", "sys/policies/acl/signet-transit",
            "{\"policy\":" + VaultServer.quote(policy) + "}");
        assertThat(refusal(client, token)).isEqualTo(TOLD);

        // Vault is gone: the address would be in the message.
        vault.stop();
        String gone = refusal(client, token);
        assertThat(gone).isEqualTo(TOLD).doesNotContain(port).doesNotContain("127.0.0.1");
        assertThat(refusal(client, token)).isEqualTo(TOLD);
      }
    } finally {
      vaultLogs.removeHandler(capture);
    }
    // The operator's side: the details are logged, never with a stack trace.
    assertThat(logged).anySatisfy(r -> assertThat(r.getMessage())
        .contains("transit/sign/signet-ca").contains("403"));
    assertThat(logged).filteredOn(r -> r.getLevel().intValue() >= Level.WARNING.intValue())
        .allSatisfy(r -> assertThat(r.getThrown()).isNull());
  }

  private static String refusal(SignetClient client, String token) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> VaultSignet.issueAndVerify(client, token, List.of()));
    assertThat(e).isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
    return e.getStatus().getDescription();
  }
}
