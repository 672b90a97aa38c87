package dev.signet.testing;

import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import java.nio.file.Path;

/**
 * The configuration every end-to-end test starts Signet with: dev mode (its token issuer, and
 * its CA unless a setting picks another source) kept in {@code dir}, both listeners on
 * 127.0.0.1 at ports the kernel chooses, then the test's own {@code key=value} settings.
 */
public final class LoopbackSignet {
  private LoopbackSignet() {}

  public static SignetConfig config(Path dir, String... settings) {
    ConfigLoader loader = ConfigLoader.withDefaults().dev()
        .set("ca.dev.directory=" + dir)
        .set("server.address=127.0.0.1")
        .set("server.grpc-port=0")
        .set("server.admin-port=0");
    for (String s : settings) {
      loader.set(s);
    }
    return loader.load();
  }
}
