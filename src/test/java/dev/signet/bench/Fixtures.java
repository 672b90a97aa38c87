package dev.signet.bench;

import dev.signet.ca.CaFiles;
import dev.signet.ca.FilesCaSource;
import dev.signet.client.CsrBuilder;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.dev.DevCa;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;

/** What the benchmarks share: a dev CA on disk, loaded with a chosen provider, and CSRs. */
final class Fixtures {
  static final String ID = "spiffe://cluster.local/ns/bench/sa/load";

  private Fixtures() {}

  /** "native", "bouncycastle" or "jdk", as the benchmarks' {@code provider} parameter. */
  static CryptoProvider provider(String name) {
    return CryptoProvider.select(ProviderChoice.valueOf(name.toUpperCase(java.util.Locale.ROOT)));
  }

  /** A fresh dev CA (ECDSA P-256 signing key) loaded with {@code crypto}, never reloaded. */
  static FilesCaSource ca(CryptoProvider crypto) {
    try {
      Path dir = Files.createTempDirectory("signet-bench-ca");
      DevCa.ensure(dir);
      return FilesCaSource.open(dir, crypto, null, authority -> { });
    } catch (IOException | CaFiles.InvalidCaException e) {
      throw new IllegalStateException("cannot create the benchmark CA", e);
    }
  }

  /** An istio-agent CSR for {@link #ID}: "rsa2048" (the sidecar default) or "p256". */
  static String csr(String key) {
    KeyPair keys = key.equals("rsa2048") ? CsrBuilder.rsa2048() : CsrBuilder.ecP256();
    return CsrBuilder.istioAgent(keys, ID);
  }
}
