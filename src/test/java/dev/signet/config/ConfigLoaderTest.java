package dev.signet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.config.SignetConfig.CaSourceKind;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
  @TempDir Path dir;

  @Test
  void defaultsDescribeAProductionServer() {
    SignetConfig c = ConfigLoader.withDefaults().load();
    assertThat(c.dev()).isFalse();
    assertThat(c.server().grpcPort()).isEqualTo(8443);
    assertThat(c.server().dnsNames()).containsExactly("signet.signet-system.svc");
    assertThat(c.issuance().defaultTtl()).isEqualTo(Duration.ofHours(24));
    assertThat(c.issuance().minTtl()).isEqualTo(Duration.ofHours(1));
    assertThat(c.auth().audiences()).containsExactly("istio-ca");
    assertThat(c.ca().source()).isEqualTo(CaSourceKind.FILES);
  }

  @Test
  void devModeAddsLocalhostAndTheLocalTokenIssuer() {
    SignetConfig c = ConfigLoader.withDefaults().dev().load();
    assertThat(c.dev()).isTrue();
    assertThat(c.ca().source()).isEqualTo(CaSourceKind.DEV);
    assertThat(c.server().dnsNames()).contains("localhost");
    assertThat(c.auth().jwt().jwksFile()).contains(Path.of(".signet-dev", "jwks.json"));
    assertThat(c.auth().jwt().issuer()).isEqualTo(ConfigLoader.DEV_ISSUER);
  }

  @Test
  void flagsBeatEnvironmentWhichBeatsTheFile() throws IOException {
    Path file = dir.resolve("signet.yaml");
    Files.writeString(file, "server:\n  grpc-port: 1111\n  admin-port: 2222\n");
    SignetConfig c = ConfigLoader.withDefaults()
        .file(file)
        .environment(Map.of("SIGNET_SERVER_GRPC_PORT", "3333", "SIGNET_ISSUANCE_MAX_TTL", "12h",
            "SIGNET_ISSUANCE_DEFAULT_TTL", "12h"))
        .set("server.grpc-port=4444")
        .load();
    assertThat(c.server().grpcPort()).isEqualTo(4444);
    assertThat(c.server().adminPort()).isEqualTo(2222);
    assertThat(c.issuance().maxTtl()).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void rejectsAnUnknownKeyNamingIt() throws IOException {
    Path file = dir.resolve("typo.yaml");
    Files.writeString(file, "server:\n  grpc-prot: 1111\n");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().file(file))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("unknown configuration key 'server.grpc-prot'");
  }

  @Test
  void rejectsABadValueNamingTheKeyAndItsOrigin() {
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("server.grpc-port=70000").load())
        .isInstanceOf(ConfigException.class)
        .hasMessage("server.grpc-port must be a whole number from 0 to 65535, got '70000' (from --set)");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("issuance.max-ttl=soon").load())
        .hasMessageContaining("issuance.max-ttl")
        .hasMessageContaining("not a duration");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("ca.source=vault").load())
        .hasMessageContaining("ca.source must be one of files, dev");
  }

  @Test
  void rejectsTtlBoundsThatContradictEachOther() {
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("issuance.min-ttl=48h").load())
        .hasMessageContaining("issuance.min-ttl (48h) is longer than issuance.max-ttl (24h)");
  }

  @Test
  void refusesTheDevCaOutsideDevMode() {
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("ca.source=dev").load())
        .hasMessageContaining("ca.source=dev needs dev mode");
  }

  @Test
  void everyKeyIsDocumented() throws IOException {
    String docs = Files.readString(Path.of("docs", "configuration.md"));
    for (String key : ConfigLoader.withDefaults().keys()) {
      assertThat(docs).as("docs/configuration.md documents %s", key).contains("`" + key + "`");
    }
  }
}
