package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.cli.Main;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 14: files that hold only public material (certificates, the dev token issuer's
 * JWKS) are written 0644 so that other users can read them; keys stay 0600.
 */
class PublicFileModesTest {
  @TempDir Path dir;
  @TempDir Path out;

  @Test
  void publicFilesAre0644AndKeysStay0600() throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir)) {
      // signet request writes a workload's files, as Istio's agent would hold them.
      ByteArrayOutputStream printed = new ByteArrayOutputStream();
      int exit = Main.run(List.of("request", "--token", signet.token("shop", "cart"),
              "--addr", "localhost:" + signet.server.grpcPort(),
              "--ca-root", dir.resolve("root-cert.pem").toString(), "--ecdsa",
              "--out", out.toString()),
          Map.of(), new PrintStream(printed, true, StandardCharsets.UTF_8),
          new PrintStream(printed, true, StandardCharsets.UTF_8));
      assertThat(exit).as(printed.toString(StandardCharsets.UTF_8)).isZero();

      for (Path p : List.of(dir.resolve("root-cert.pem"), dir.resolve("ca-cert.pem"),
          dir.resolve("cert-chain.pem"), dir.resolve("jwks.json"), out.resolve("cert-chain.pem"),
          out.resolve("root-cert.pem"))) {
        assertThat(mode(p)).as("mode of %s", p).isEqualTo("rw-r--r--");
      }
      for (Path p : List.of(dir.resolve("ca-key.pem"), dir.resolve("root-key.pem"),
          dir.resolve("token-signing-key.json"), out.resolve("key.pem"))) {
        assertThat(mode(p)).as("mode of %s", p).isEqualTo("rw-------");
      }
    }
  }

  private static String mode(Path p) throws Exception {
    return PosixFilePermissions.toString(Files.getPosixFilePermissions(p));
  }
}
