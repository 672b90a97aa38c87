package dev.signet.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.cli.CliProcess.Result;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The command line as a shell sees it: the process's exit code for each kind of ending (done,
 * usage error, failure) and what goes to stdout and stderr. {@link MainTest} covers the rest
 * in process (each JVM here costs seconds).
 */
class CliProcessTest {
  @TempDir Path dir;

  private Result signet(String... args) throws Exception {
    return CliProcess.run(dir, Map.of(), args);
  }

  @Test
  void helpGoesToStdoutWithExitZero() throws Exception {
    Result r = signet("--help");
    assertThat(r.exit()).isZero();
    assertThat(r.out()).startsWith("Usage: signet")
        .contains("serve", "request", "token", "config", "version", "completion");
    assertThat(r.err()).isEmpty();
  }

  @Test
  void versionFlagAndCommandPrintVersionCommitAndBuildTime() throws Exception {
    Result flag = signet("--version");
    Result command = signet("version");
    assertThat(flag.exit()).isZero();
    assertThat(command.exit()).isZero();
    assertThat(flag.out()).isEqualTo(command.out()).matches("signet \\d+\\.\\d+\\.\\d+\\S* "
        + "\\(commit ([0-9a-f]{12}(-dirty)?|unknown), built (\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:"
        + "\\d\\dZ|unknown)\\)\\n");
  }

  @Test
  void anUnknownOptionIsOneLineNamingItWithExitTwo() throws Exception {
    Result r = signet("serve", "--bogus");
    assertThat(r.exit()).isEqualTo(2);
    assertThat(r.errLines()).containsExactly(
        "signet serve: unknown option '--bogus'; see 'signet serve --help'");
    assertThat(r.out()).isEmpty();
  }

  @Test
  void aGrpcPortInUseNamesThePortTheKeyAndWhereItWasSet() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      int port = taken.getLocalPort();
      Result r = signet("serve", "--dev", "--dev-dir", dir.resolve("ca").toString(),
          "--set", "server.address=127.0.0.1", "--set", "server.grpc-port=" + port,
          "--set", "server.admin-port=0");
      assertThat(r.exit()).isEqualTo(1);
      assertThat(r.err()).contains("signet cannot start: server.grpc-port " + port
          + " on 127.0.0.1 is already in use (from --set); stop what listens there, or choose "
          + "a free port with --set server.grpc-port=PORT (or SIGNET_SERVER_GRPC_PORT)");
      assertThat(r.err()).doesNotContain("\tat ", "Exception");
    }
  }

}
