package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.signet.client.SignetClient;
import dev.signet.testing.Poll;
import dev.signet.testing.VaultContainerServer;
import dev.signet.testing.VaultServer;
import dev.signet.vault.VaultSetup;
import dev.signet.vault.VaultSignet;
import io.github.jopenlibs.vault.json.JsonValue;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 11: when Vault answers 403 to every Transit signature (a policy change that a
 * fresh token does not cure), requests fail fast with UNAVAILABLE and do not each log in again:
 * logins stay bounded, and every token Signet replaced is revoked. Against a real Vault set up by
 * deploy/vault/setup.sh, with Signet logged in by AppRole.
 */
class VaultForbiddenReloginTest {
  private static final String ROLE = "signet-transit";

  @TempDir Path dir;

  @Test
  void aPersistent403DoesNotTurnEveryRequestIntoALogin() throws Exception {
    try (VaultServer vault = VaultContainerServer.start()) {
      VaultSetup setup = VaultSetup.run(vault);
      List<String> settings = new ArrayList<>(List.of(setup.approle("transit", dir)));
      settings.addAll(List.of("ca.vault.kv.path=signet/transit-chain",
          // Only requests call Vault during the test.
          "ca.vault.transit.poll-interval=1h"));
      try (VaultSignet signet = VaultSignet.start(dir, "vault-transit",
              settings.toArray(String[]::new));
          SignetClient client = signet.client()) {
        String token = signet.token();
        VaultSignet.issueAndVerify(client, token, signet.roots());
        Set<String> initial = liveTokens(vault);
        assertThat(initial).as("Signet's one token").hasSize(1);
        double loginsBefore = logins(signet);

        // The operator's policy change: Signet may no longer sign.
        String policy = Files.readString(Path.of("deploy/vault/signet-transit.hcl"))
            .replace("path \"transit/sign/signet-ca\"", "path \"transit/sign/nothing\"");
        vault.root("PUT", "sys/policies/acl/" + ROLE,
            "{\"policy\":" + VaultServer.quote(policy) + "}");

        // Requests until a 403 has led to one fresh login (the first may come too soon after
        // the start-up login), then twenty more.
        Poll.until(() -> {
          assertUnavailable(client, token);
          return logins(signet) > loginsBefore;
        }, Duration.ofSeconds(60), "a fresh login after Vault's 403");
        for (int i = 0; i < 20; i++) {
          assertUnavailable(client, token);
        }

        // Old behaviour: one login per request (21 here), each token left alive.
        assertThat(logins(signet) - loginsBefore).as("logins after the 403s").isBetween(1.0, 2.0);
        Set<String> live = liveTokens(vault);
        assertThat(live).as("Signet's live tokens: only the current one").hasSize(1);
        assertThat(live).as("the replaced token was revoked").doesNotContainAnyElementsOf(initial);
      }
    }
  }

  private static void assertUnavailable(SignetClient client, String token) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> VaultSignet.issueAndVerify(client, token, List.of()));
    assertThat(e).as("a request while Vault refuses to sign").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAVAILABLE);
  }

  private static double logins(VaultSignet signet) {
    return signet.server.registry().find("signet_vault_call").tag("operation", "login")
        .timers().stream().mapToDouble(t -> t.count()).sum();
  }

  /** Accessors of the live tokens AppRole issued for Signet's role. */
  static Set<String> liveTokens(VaultServer vault) {
    Set<String> out = new TreeSet<>();
    for (JsonValue a : VaultServer.data(vault.root("LIST", "auth/token/accessors", null))
        .get("keys").asArray()) {
      JsonValue meta = VaultServer.data(vault.root("POST", "auth/token/lookup-accessor",
          "{\"accessor\":" + VaultServer.quote(a.asString()) + "}")).get("meta");
      if (meta != null && meta.isObject()
          && ROLE.equals(meta.asObject().getString("role_name", ""))) {
        out.add(a.asString());
      }
    }
    return out;
  }
}
