package dev.signet.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Function;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What {@code signet config} prints loads back, through {@code --config}, to the same config. */
class ConfigPrinterTest {
  @TempDir Path dir;

  /** Prints a loaded configuration, loads the print as a file, and returns both. */
  private SignetConfig[] roundTrip(ConfigLoader loader,
      Function<Map<String, Object>, String> format) throws Exception {
    SignetConfig original = loader.load();
    String printed = format.apply(ConfigPrinter.document(loader, original));
    Path f = Files.writeString(dir.resolve("printed"), printed);
    return new SignetConfig[] {original, ConfigLoader.withDefaults().file(f).load()};
  }

  private static ConfigLoader everythingChanged() {
    return ConfigLoader.withDefaults()
        .set("server.dns-names=a.example,b.example").set("server.grpc-port=1")
        .set("server.shutdown-grace=1m30s").set("server.reflection=true")
        .set("issuance.min-ttl=2h").set("issuance.trust-domain=td.example")
        .set("auth.audiences=istio-ca,other")
        .set("auth.clusters=id=east;kind=tokenreview;kubeconfig=/k/east,"
            + "id=west;kind=jwt;jwks-url=https://west.example/jwks;issuer=https://w")
        .set("auth.trusted-node-accounts=istio-system/ztunnel")
        .set("ca.source=vault-pki").set("ca.vault.address=https://vault.example:8200")
        .set("ca.vault.pki.renew-remaining=0.5").set("ca.vault.transit.batch-window=0s")
        .set("kubernetes.istiod-cert.revisions=canary,default")
        .set("log.format=json").set("crypto.provider=jdk");
  }

  @Test
  void yamlLoadsBackToTheSameConfiguration() throws Exception {
    for (ConfigLoader l : new ConfigLoader[] {ConfigLoader.withDefaults(),
        ConfigLoader.withDefaults().dev().set("ca.dev.directory=/tmp/d"), everythingChanged()}) {
      SignetConfig[] both = roundTrip(l, ConfigPrinter::yaml);
      assertThat(both[1]).isEqualTo(both[0]);
    }
  }

  @Test
  void jsonLoadsBackToTheSameConfiguration() throws Exception {
    SignetConfig[] both = roundTrip(everythingChanged(), ConfigPrinter::json);
    assertThat(both[1]).isEqualTo(both[0]);
  }

  @Test
  void valuesKeepTheirTypesAndDurationsTheirShortForm() {
    ConfigLoader l = everythingChanged();
    String yaml = ConfigPrinter.yaml(ConfigPrinter.document(l, l.load()));
    assertThat(yaml).contains("  grpc-port: 1\n", "  reflection: true\n",
        "  shutdown-grace: 1m30s\n", "      renew-remaining: 0.5\n", "    - a.example\n",
        "kind: jwt", "jwks-url: https://west.example/jwks");
  }

  @Test
  void secretsArePrintedRedactedAndStillLoad() throws Exception {
    ConfigLoader l = ConfigLoader.withDefaults()
        .set("auth.jwt.jwks-url=https://u:jwks-pass@keys.example/jwks?k=q-secret")
        .set("ca.source=vault-kv").set("ca.vault.address=https://v:vault-pass@vault.example")
        .set("ca.vault.auth.method=approle").set("ca.vault.auth.role-id=role-4f1c")
        .set("ca.vault.auth.secret-id-file=/s/id");
    String yaml = ConfigPrinter.yaml(ConfigPrinter.document(l, l.load()));
    assertThat(yaml).doesNotContain("jwks-pass", "q-secret", "vault-pass", "role-4f1c")
        .contains("https://***@keys.example/jwks?***", "role-id: '***'");
    Path f = Files.writeString(dir.resolve("redacted.yaml"), yaml);
    assertThat(ConfigLoader.withDefaults().file(f).load().ca().vault().auth().secretIdFile())
        .contains(Path.of("/s/id"));
  }
}
