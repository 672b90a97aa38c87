package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Issue 12 item 14: {@code signet config} prints the effective configuration for operators (and
 * into support tickets and CI logs), so it must not print credentials: the user information of
 * URLs and the AppRole role id.
 */
class SecretsNotPrintedTest {
  @Test
  void signetConfigRedactsUrlCredentialsAndTheAppRoleRoleId() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int exit = Main.run(List.of("config",
            "--set", "auth.jwt.jwks-url=https://jwks-user:jwks-pass-1@keys.example/jwks?k=q-secret",
            "--set", "auth.clusters=id=west;kind=jwt;jwks-url=https://w:west-pass-2@west.example/j",
            "--set", "ca.source=vault-kv",
            "--set", "ca.vault.address=https://vault-user:vault-pass-3@vault.example:8200",
            "--set", "ca.vault.auth.method=approle",
            "--set", "ca.vault.auth.role-id=role-id-4f1c",
            "--set", "ca.vault.auth.secret-id-file=/var/run/secrets/secret-id"),
        Map.of(), new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
    String printed = out.toString(StandardCharsets.UTF_8) + err.toString(StandardCharsets.UTF_8);
    assertThat(exit).as(printed).isZero();
    assertThat(printed).doesNotContain("jwks-pass-1", "jwks-user", "q-secret", "west-pass-2",
        "vault-pass-3", "vault-user", "role-id-4f1c");
    // What is printed still tells the operator where things are.
    assertThat(printed).contains("https://***@keys.example/jwks?***",
        "https://***@west.example/j", "https://***@vault.example:8200", "role-id: '***'",
        "secret-id-file: /var/run/secrets/secret-id");
  }
}
