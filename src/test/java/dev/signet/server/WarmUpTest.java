package dev.signet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.config.ConfigException;
import dev.signet.config.ConfigLoader;
import dev.signet.pki.Pem;
import dev.signet.testing.LogCapture;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code server.warm-up.*}: before its listeners open, Signet issues throwaway certificates to a
 * copy of itself, and none of it shows: no audit line, no count in the real metrics, no
 * temporary files left, log levels as they were, and the real CA signs what callers get.
 */
class WarmUpTest {
  private static final int REQUESTS = 300;

  @Test
  void warmUpIssuesToAThrowawayCopyAndLeavesNoTrace(@TempDir Path dir) throws Exception {
    Logger signetLog = Logger.getLogger("dev.signet");
    Level before = signetLog.getLevel();
    List<Path> tempBefore = warmUpDirectories();
    try (LogCapture audit = LogCapture.of("signet.audit");
        LogCapture log = LogCapture.of("dev.signet");
        RunningSignet signet = RunningSignet.start(dir,
            "server.warm-up.requests=" + REQUESTS, "server.warm-up.max-time=5m")) {
      assertThat(log.messages()).filteredOn(m -> m.startsWith("warm-up: "))
          .singleElement().asString()
          .startsWith("warm-up: " + REQUESTS + " throwaway certificates in ");
      assertThat(log.messages()).filteredOn(m -> m.contains(" serving gRPC on port "))
          .as("the copy's start line is not written; the real one is").hasSize(1);
      assertThat(audit.messages()).as("no audit line for a throwaway certificate").isEmpty();
      assertThat(signet.server.registry().find("signet.create_certificate.requests").counters())
          .allSatisfy(c -> assertThat(c.count()).isZero());
      assertThat(warmUpDirectories()).isEqualTo(tempBefore);
      assertThat(signetLog.getLevel()).isEqualTo(before);

      // A real caller gets a certificate from the real CA, and its audit line is written.
      try (SignetClient client = signet.client()) {
        List<String> chain = client.createCertificate(CsrBuilder.istioAgent(CsrBuilder.ecP256(),
            "spiffe://cluster.local/ns/shop/sa/cart"), Duration.ofHours(1),
            signet.token("shop", "cart"), Duration.ofMinutes(1));
        X509Certificate leaf = Pem.certificates(chain.get(0)).get(0);
        X509Certificate ca = Pem.certificates(Files.readString(dir.resolve("ca-cert.pem"))).get(0);
        leaf.verify(ca.getPublicKey());
      }
      assertThat(audit.messages()).singleElement().asString().startsWith("issued ");
    }
  }

  @Test
  void offByDefaultAndBounded() {
    assertThat(ConfigLoader.withDefaults().load().server().warmUp().requests()).isZero();
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("server.warm-up.requests=-1").load())
        .isInstanceOf(ConfigException.class).hasMessageContaining("server.warm-up.requests");
    assertThatThrownBy(() -> ConfigLoader.withDefaults().set("server.warm-up.max-time=0s").load())
        .isInstanceOf(ConfigException.class).hasMessageContaining("server.warm-up.max-time");
  }

  private static List<Path> warmUpDirectories() throws IOException {
    try (Stream<Path> s = Files.list(Path.of(System.getProperty("java.io.tmpdir")))) {
      return s.filter(p -> p.getFileName().toString().startsWith("signet-warm-up-")).sorted()
          .toList();
    }
  }
}
