package dev.signet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Each configuration mistake is one line naming the key, where it came from and the fix. */
class ConfigErrorsTest {
  @TempDir Path dir;

  private Path file(String yaml) throws Exception {
    return Files.writeString(dir.resolve("signet.yaml"), yaml);
  }

  @Test
  void malformedYamlNamesFileLineAndColumnWithoutSnakeYamlsTrace() throws Exception {
    Path f = file("server:\n  grpc-port: 1\n bad: [\n");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().file(f))
        .isInstanceOf(ConfigException.class)
        .hasMessageStartingWith(f + ":3:")
        .hasMessageContaining("not valid YAML")
        .hasMessageNotContaining("org.yaml")
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"))
        .hasNoCause();
  }

  @Test
  void aBlockWrittenTwiceIsRefusedNotMerged() throws Exception {
    Path f = file("server:\n  grpc-port: 1\nissuance:\n  min-ttl: 2h\nserver:\n  admin-port: 2\n");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().file(f))
        .hasMessage(f + ":5: key 'server' is written twice (first at line 1); YAML would keep "
            + "only one of them, so merge the two into one block");
  }

  @Test
  void aNestedKeyWrittenTwiceNamesItsFullName() throws Exception {
    Path f = file("server:\n  grpc-port: 1\n  grpc-port: 2\n");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().file(f))
        .hasMessageStartingWith(f + ":3: key 'server.grpc-port' is written twice (first at "
            + "line 2)");
  }

  @Test
  void aBadValueInAFileNamesTheFileAndLine() throws Exception {
    Path f = file("# comment\nserver:\n  address: 127.0.0.1\n  grpc-port: eighty\n");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().file(f).load())
        .hasMessage("server.grpc-port must be a whole number from 0 to 65535, got 'eighty' "
            + "(from " + f + ":4)");
  }

  @Test
  void aMisspeltKeyInAFileGetsTheKeyItMeant() throws Exception {
    Path f = file("server:\n  grpc-prot: 1\n");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().file(f))
        .hasMessage("unknown configuration key 'server.grpc-prot' (from " + f + ":2); did you "
            + "mean 'server.grpc-port'?");
  }

  @Test
  void aMissingFileOrADirectorySaysWhich() throws Exception {
    Path missing = dir.resolve("etc/signet.yaml");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().file(missing))
        .hasMessage("config file " + missing + " (from --config) does not exist (nor does its "
            + "directory " + missing.getParent() + "); check the path");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().file(dir))
        .hasMessage("config file " + dir + " (from --config) is a directory; give the path of "
            + "a YAML file");
  }

  @Test
  void aTopLevelThatIsNotAMappingIsRefused() throws Exception {
    Path f = file("- server\n- issuance\n");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().file(f))
        .hasMessage(f + ":1: the top level must be a mapping of keys (like 'server:'), not a "
            + "list");
  }

  @Test
  void aMisspeltVariableIsRefusedWithTheVariableItMeant() {
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .environment(Map.of("SIGNET_ISSUANCE_MAXTTL", "2h")))
        .hasMessage("environment variable SIGNET_ISSUANCE_MAXTTL is not a configuration key; "
            + "did you mean SIGNET_ISSUANCE_MAX_TTL (issuance.max-ttl)? Rename or unset it");
    assertThatThrownBy(() -> ConfigLoader.withDefaults()
        .environment(Map.of("SIGNET_GRPC_PORT", "1")))
        .hasMessageContaining("did you mean SIGNET_SERVER_GRPC_PORT (server.grpc-port)?");
  }

  @Test
  void variablesOfOtherToolsAreLeftAlone() {
    // The launcher's, the test peers' (README), and the service links Kubernetes injects for
    // a Service named signet.
    Map<String, String> env = new HashMap<>();
    for (String name : List.of("SIGNET_JAR", "SIGNET_CDS_DIR", "SIGNET_VAULT", "SIGNET_ETCD",
        "SIGNET_KUBE_APISERVER", "SIGNET_KUBECTL", "SIGNET_PROMETHEUS", "SIGNET_HELM",
        "SIGNET_HELM_DOCS", "SIGNET_ISTIO_CHARTS", "SIGNET_ZLINT", "SIGNET_PKILINT", "SIGNET_IMAGE",
        "SIGNET_VAULT_IMAGE", "SIGNET_BAO",
        "SIGNET_ISTIO_RELEASES", "SIGNET_ISTIO_BIN", "SIGNET_FUZZ_TARGETS",
        "SIGNET_FUZZ_SECONDS", "SIGNET_JDK17", "SIGNET_JDK25", "SIGNET_DOCKER_STORAGE_DRIVER",
        "SIGNET_NAMESPACE", "SIGNET_SERVICE_ACCOUNT", "SIGNET_PORT", "SIGNET_SERVICE_HOST",
        "SIGNET_SERVICE_PORT", "SIGNET_SERVICE_PORT_GRPC", "SIGNET_SERVICE_PORT_ADMIN",
        "SIGNET_SERVICE_PORT_METRICS", "SIGNET_PORT_8443_TCP", "SIGNET_PORT_8443_TCP_PROTO",
        "SIGNET_PORT_8443_TCP_PORT", "SIGNET_PORT_8443_TCP_ADDR", "SIGNET_PORT_9102_TCP_ADDR")) {
      env.put(name, "x");
    }
    // Service links of other Services in the namespace (signet-grpc, signet-admin), even
    // where their names end like a key's variable.
    env.put("SIGNET_GRPC_PORT", "tcp://10.0.0.3:8443");
    env.put("SIGNET_ADMIN_PORT", "tcp://10.0.0.4:9102");
    env.put("SIGNET_GRPC_SERVICE_PORT", "8443");
    env.put("SIGNET_GRPC_SERVICE_PORT_GRPC_TLS", "8443");
    env.put("SIGNET_GRPC_PORT_8443_TCP_PORT", "8443");
    assertThat(ConfigLoader.withDefaults().environment(env).load().server().grpcPort())
        .isEqualTo(8443);
    // The same name holding a port number is a misspelling.
    env.put("SIGNET_GRPC_PORT", "8443");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().environment(env))
        .hasMessageContaining("SIGNET_GRPC_PORT is not a configuration key; did you mean "
            + "SIGNET_SERVER_GRPC_PORT");
  }
}
