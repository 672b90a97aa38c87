package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MainTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();
  @TempDir Path dir;

  private int run(String... args) {
    return runWith(Map.of(), args);
  }

  private int runWith(Map<String, String> env, String... args) {
    return Main.run(List.of(args), env, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  private String out() {
    return out.toString(StandardCharsets.UTF_8);
  }

  private String err() {
    return err.toString(StandardCharsets.UTF_8);
  }

  @Test
  void printsTheBuildVersion() {
    assertThat(run("version")).isZero();
    assertThat(out()).matches("signet \\d+\\.\\d+\\.\\d+\\S* \\(commit \\S+, built \\S+\\)\\n");
  }

  @Test
  void configCommandReportsABadKeyWithExitCode2() {
    assertThat(run("config", "--set", "server.admin-port=-1")).isEqualTo(2);
    assertThat(err()).isEqualTo("configuration error: server.admin-port must be a whole number "
        + "from 0 to 65535, got '-1' (from --set)\n");
  }

  @Test
  void configCommandPrintsTheCryptoProviderInUse() {
    assertThat(run("config", "--dev", "--set", "crypto.provider=bouncycastle")).isZero();
    assertThat(out()).contains("# crypto provider: BC");
  }

  @Test
  void setBeatsTheEnvironmentWhichBeatsTheFile() throws Exception {
    Path file = Files.writeString(dir.resolve("s.yaml"),
        "server:\n  grpc-port: 1111\n  admin-port: 2222\n  worker-threads: 3\n");
    assertThat(runWith(Map.of("SIGNET_SERVER_GRPC_PORT", "3333", "SIGNET_SERVER_ADMIN_PORT",
        "4444"), "config", "--set", "server.grpc-port=5555", "--config", file.toString()))
        .as(err()).isZero();
    assertThat(out()).contains("grpc-port: 5555", "admin-port: 4444", "worker-threads: 3");
  }

  @Test
  void devAndConfigApplyInTheOrderGiven() throws Exception {
    Path file = Files.writeString(dir.resolve("files.yaml"), "ca:\n  source: files\n");
    assertThat(run("config", "--config", file.toString(), "--dev")).as(err()).isZero();
    assertThat(out()).contains("source: dev");
  }

  @Test
  void aMisspeltVariableIsRefusedWithTheKeyItMeant() {
    assertThat(runWith(Map.of("SIGNET_SERVER_GRPC_PROT", "1"), "config")).isEqualTo(2);
    assertThat(err()).isEqualTo("configuration error: environment variable "
        + "SIGNET_SERVER_GRPC_PROT is not a configuration key; did you mean "
        + "SIGNET_SERVER_GRPC_PORT (server.grpc-port)? Rename or unset it\n");
  }

  @Test
  void aMissingConfigFileSaysSo() {
    assertThat(run("serve", "--config", dir.resolve("nope.yaml").toString())).isEqualTo(2);
    assertThat(err()).isEqualTo("configuration error: config file " + dir.resolve("nope.yaml")
        + " (from --config) does not exist; check the path\n");
  }

  @Test
  void tokenWithoutADevIssuerSaysHowToGetOne() {
    assertThat(run("token", "--dev-dir", dir.toString(), "--namespace", "a")).isEqualTo(1);
    assertThat(err()).contains("start 'signet serve --dev' first");
  }

  @Test
  void tokenPrintsAServiceAccountJwt() throws Exception {
    dev.signet.dev.DevTokens.open(dir);
    assertThat(run("token", "--dev-dir", dir.toString(), "--namespace", "shop",
        "-s", "cart", "--ttl", "90s")).isZero();
    com.nimbusds.jwt.JWTClaimsSet claims = com.nimbusds.jwt.JWTParser
        .parse(out().trim()).getJWTClaimsSet();
    assertThat(claims.getSubject()).isEqualTo("system:serviceaccount:shop:cart");
    assertThat(claims.getAudience()).containsExactly("istio-ca");
  }

  @Test
  void aBadDurationNamesTheOption() {
    assertThat(run("token", "--ttl", "3x")).isEqualTo(2);
    assertThat(err()).startsWith("signet token: Invalid value for option '--ttl': '3x' is not "
        + "a duration").endsWith("see 'signet token --help'\n");
  }

  @Test
  void requestWithoutATokenIsAUsageError() {
    assertThat(run("request", "--addr", "localhost:1")).isEqualTo(2);
    assertThat(err()).isEqualTo("signet request: needs one of --token or --token-file; "
        + "see 'signet request --help'\n");
  }

  @Test
  void aMisspeltOptionGetsASuggestion() {
    assertThat(run("serve", "--dve")).isEqualTo(2);
    assertThat(err()).isEqualTo("signet serve: unknown option '--dve' (did you mean --dev?); "
        + "see 'signet serve --help'\n");
  }

  @Test
  void helpInEveryConventionalSpellingWithExitZero() {
    for (String[] args : new String[][] {{"--help"}, {"-h"}, {"help"}}) {
      out.reset();
      assertThat(run(args)).as(String.join(" ", args)).isZero();
      assertThat(out()).startsWith("Usage: signet")
          .contains("serve", "request", "token", "config", "version", "completion");
    }
    assertThat(err()).isEmpty();
  }

  @Test
  void subcommandHelpListsItsFlagsWithExitZero() {
    for (String[] args : new String[][] {{"serve", "--help"}, {"help", "serve"},
        {"serve", "-h"}}) {
      out.reset();
      assertThat(run(args)).as(String.join(" ", args)).isZero();
      assertThat(out()).startsWith("Usage: signet serve")
          .contains("--config=FILE", "--set=KEY=VALUE", "--dev-dir=DIR", "--dev");
    }
    out.reset();
    assertThat(run("config", "--help")).isZero();
    assertThat(out()).contains("-o, --output=FORMAT");
  }

  @Test
  void anUnknownCommandIsOneLineWithExitTwo() {
    assertThat(run("frobnicate")).isEqualTo(2);
    assertThat(err()).isEqualTo("signet: unknown command 'frobnicate'; see 'signet --help'\n");
  }

  @Test
  void noCommandPrintsUsageToStderrWithExitTwo() {
    assertThat(run()).isEqualTo(2);
    assertThat(err()).startsWith("Usage: signet");
    assertThat(out()).isEmpty();
  }

  @Test
  void anAdminPortInUseFromTheEnvironmentNamesTheVariable() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      assertThat(runWith(Map.of("SIGNET_SERVER_ADMIN_PORT", "" + port), "serve", "--dev",
          "--dev-dir", dir.resolve("ca").toString(), "--set", "server.address=127.0.0.1",
          "--set", "server.grpc-port=0")).isEqualTo(1);
      assertThat(err()).isEqualTo("signet cannot start: server.admin-port " + port
          + " on 127.0.0.1 is already in use (from $SIGNET_SERVER_ADMIN_PORT); stop what "
          + "listens there, or choose a free port with --set server.admin-port=PORT (or "
          + "SIGNET_SERVER_ADMIN_PORT)\n");
    }
  }

  @Test
  void completionPrintsABashScript() {
    assertThat(run("completion")).isZero();
    assertThat(out()).contains("complete -F", "serve", "--dev-dir");
  }

  @Test
  void configPrintsYamlThatLoadsBackAndJsonOnRequest() throws Exception {
    assertThat(run("config", "--dev", "--set", "server.grpc-port=1234")).isZero();
    Path printed = Files.writeString(dir.resolve("printed.yaml"), out());
    out.reset();
    assertThat(run("config", "--config", printed.toString())).as(err()).isZero();
    assertThat(out()).isEqualTo(Files.readString(printed));
    out.reset();
    assertThat(run("config", "--config", printed.toString(), "-o", "json")).isZero();
    assertThat(com.google.gson.JsonParser.parseString(out()).getAsJsonObject()
        .getAsJsonObject("server").get("grpc-port").getAsInt()).isEqualTo(1234);
  }
}
