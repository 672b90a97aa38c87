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
  void eventLoopsDefaultToAtLeastSixteenAndCanBeSet() {
    SignetConfig.Connections auto = ConfigLoader.withDefaults().load().server().connections();
    assertThat(auto.eventLoops()).isZero();
    assertThat(auto.effectiveEventLoops()).isGreaterThanOrEqualTo(16)
        .isGreaterThanOrEqualTo(2 * Runtime.getRuntime().availableProcessors());
    assertThat(ConfigLoader.withDefaults().set("server.connections.event-loops=3").load()
        .server().connections().effectiveEventLoops()).isEqualTo(3);
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .set("server.connections.event-loops=-1").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("server.connections.event-loops");
  }

  @Test
  void logSettingsDefaultToInfoTextAndNameTheKeyWhenWrong() {
    SignetConfig.Log log = ConfigLoader.withDefaults().load().log();
    assertThat(log.level()).isEqualTo(SignetConfig.LogLevel.INFO);
    assertThat(log.format()).isEqualTo(SignetConfig.LogFormat.TEXT);
    assertThat(ConfigLoader.withDefaults().set("log.format=json").set("log.level=debug").load()
        .log()).isEqualTo(new SignetConfig.Log(SignetConfig.LogLevel.DEBUG,
            SignetConfig.LogFormat.JSON));
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("log.level=verbose").load())
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("log.level").hasMessageContaining("error, warn, info, debug, trace");
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
  void istioRevisionsCustomHostsAndTrustBundleNameAreRead() {
    SignetConfig d = ConfigLoader.withDefaults().load();
    assertThat(d.kubernetes().trustBundle().name()).isEqualTo("istio-ca-root-cert");
    assertThat(d.kubernetes().istiodCert().revisions()).isEmpty();
    SignetConfig c = ConfigLoader.withDefaults()
        .set("kubernetes.istiod-cert.revision=canary")
        .set("kubernetes.istiod-cert.revisions=1-30,canary")
        .set("kubernetes.istiod-cert.dns-names=istiod.example.com")
        .set("kubernetes.trust-bundle.name=mesh-roots").load();
    assertThat(c.kubernetes().istiodCert().revisions()).containsExactly("canary", "1-30");
    assertThat(c.kubernetes().istiodCert().dnsNames()).containsExactly("istiod.example.com");
    assertThat(c.kubernetes().trustBundle().name()).isEqualTo("mesh-roots");
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .set("kubernetes.istiod-cert.revisions=Canary").load())
        .hasMessageContaining("kubernetes.istiod-cert.revisions");
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .set("kubernetes.istiod-cert.dns-names=bad_name.example").load())
        .hasMessageContaining("kubernetes.istiod-cert.dns-names");
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .set("kubernetes.trust-bundle.name=Roots").load())
        .hasMessageContaining("kubernetes.trust-bundle.name");
  }

  @Test
  void refusesTheDevCaOutsideDevMode() {
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("ca.source=dev").load())
        .hasMessageContaining("ca.source=dev needs dev mode");
  }

  @Test
  void clustersComeFromYamlMappingsOrCompactEntries() throws IOException {
    Path file = dir.resolve("clusters.yaml");
    Files.writeString(file, String.join("\n",
        "auth:",
        "  kind: tokenreview",
        "  clusters:",
        "    - id: east",
        "      kubeconfig: /etc/signet/east.kubeconfig",
        "    - id: west",
        "      kind: jwt",
        "      jwks-file: /etc/signet/west-jwks.json",
        "  trusted-node-accounts: [istio-system/ztunnel]",
        ""));
    SignetConfig c = ConfigLoader.withDefaults().file(file).load();
    assertThat(c.auth().kind()).isEqualTo(SignetConfig.AuthKind.TOKENREVIEW);
    assertThat(c.auth().clusters()).extracting(SignetConfig.Cluster::id)
        .containsExactly("east", "west");
    assertThat(c.auth().clusters().get(0).kubeconfig())
        .contains(Path.of("/etc/signet/east.kubeconfig"));
    assertThat(c.auth().clusters().get(1).kind()).isEqualTo(SignetConfig.AuthKind.JWT);
    assertThat(c.auth().trustedNodeAccounts()).containsExactly("istio-system/ztunnel");

    SignetConfig env = ConfigLoader.withDefaults().environment(Map.of("SIGNET_AUTH_CLUSTERS",
        "id=east;kubeconfig=/k1,id=north;kind=jwt;jwks-url=https://north.example/jwks")).load();
    assertThat(env.auth().clusters()).extracting(SignetConfig.Cluster::id)
        .containsExactly("east", "north");
  }

  @Test
  void rejectsClusterEntriesThatCannotWork() {
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("auth.clusters=id=east").load())
        .hasMessageContaining("auth.clusters[east] uses tokenreview and needs a kubeconfig");
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .set("auth.clusters=id=Kubernetes;kubeconfig=/k").load())
        .hasMessageContaining("cluster id 'Kubernetes' is used twice");
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .set("auth.clusters=id=w;kind=jwt").load())
        .hasMessageContaining("needs exactly one of jwks-file and jwks-url");
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .set("auth.trusted-node-accounts=ztunnel").load())
        .hasMessageContaining("namespace/service-account");
  }

  @Test
  void everyKeyIsDocumented() throws IOException {
    String docs = Files.readString(Path.of("docs", "configuration.md"));
    for (String key : ConfigLoader.withDefaults().keys()) {
      assertThat(docs).as("docs/configuration.md documents %s", key).contains("`" + key + "`");
    }
  }
}
