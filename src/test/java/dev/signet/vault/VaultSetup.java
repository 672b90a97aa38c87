package dev.signet.vault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.testing.VaultServer;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs {@code deploy/vault/setup.sh} (the script operators run) against a test server with its
 * CLI, and hands out AppRole credentials of each model's least-privilege role.
 */
public final class VaultSetup {
  public final VaultServer vault;
  public final Map<String, String> roleIds = new HashMap<>();

  private VaultSetup(VaultServer vault) {
    this.vault = vault;
  }

  public static VaultSetup run(VaultServer vault)
      throws IOException, InterruptedException {
    ProcessBuilder pb = new ProcessBuilder("bash", Path.of("deploy/vault/setup.sh").toString());
    pb.environment().put("VAULT_ADDR", vault.address());
    pb.environment().put("VAULT_TOKEN", vault.rootToken());
    pb.environment().put("VAULT_BIN", vault.cli().toString());
    pb.redirectErrorStream(true);
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
    assertThat(p.exitValue()).as("setup.sh output:\n%s", out).isZero();
    VaultSetup s = new VaultSetup(vault);
    for (String line : out.split("\n")) {
      if (line.startsWith("signet-") && line.contains(" role_id=")) {
        String model = line.substring("signet-".length(), line.indexOf(' '));
        s.roleIds.put(model, line.substring(line.indexOf('=') + 1).trim());
      }
    }
    assertThat(s.roleIds).as("setup.sh output:\n%s", out).containsKeys("transit", "kv", "pki");
    return s;
  }

  /** Settings for Signet to log in with the model's AppRole (secret id in a file in dir). */
  public String[] approle(String model, Path dir) throws IOException {
    String secretId = VaultServer.data(vault.root("POST",
        "auth/approle/role/signet-" + model + "/secret-id", "{}")).getString("secret_id", "");
    Path file = dir.resolve("secret-id-" + model);
    Files.writeString(file, secretId);
    return new String[] {
        "ca.vault.address=" + vault.address(),
        "ca.vault.allow-insecure-http=true",
        "ca.vault.auth.method=approle",
        "ca.vault.auth.role-id=" + roleIds.get(model),
        "ca.vault.auth.secret-id-file=" + file
    };
  }
}
