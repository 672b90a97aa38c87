package dev.signet.vault;

import dev.signet.testing.LoopbackSignet;
import dev.signet.client.SignetClient;
import dev.signet.client.CsrBuilder;
import dev.signet.client.ChainVerifier;
import dev.signet.dev.DevTokens;
import dev.signet.pki.Pem;
import dev.signet.server.SignetServer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * A real Signet whose CA comes from Vault, on loopback ports chosen by the kernel. Dev mode is on
 * only for its token issuer (callers authenticate with dev tokens); the CA is the Vault source.
 * Clients trust the root the Vault source hands out.
 */
public final class VaultSignet implements AutoCloseable {
  public static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";
  public final Path dir;
  public final SignetServer server;
  public final DevTokens tokens;
  public final Path rootFile;

  private VaultSignet(Path dir, SignetServer server) throws IOException {
    this.dir = dir;
    this.server = server;
    this.tokens = DevTokens.open(dir);
    this.rootFile = dir.resolve("vault-root.pem");
    Files.writeString(rootFile, server.ca().current().rootBundle());
  }

  public static VaultSignet start(Path dir, String source, String... settings)
      throws IOException {
    String[] all = new String[settings.length + 1];
    all[0] = "ca.source=" + source;
    System.arraycopy(settings, 0, all, 1, settings.length);
    return new VaultSignet(dir, SignetServer.start(LoopbackSignet.config(dir, all)));
  }

  public String token() {
    return tokens.issue("shop", "cart", List.of("istio-ca"), Duration.ofMinutes(30));
  }

  public SignetClient client() throws IOException {
    return SignetClient.connect("localhost", server.grpcPort(), rootFile.toFile());
  }

  /** Issues one certificate over gRPC and verifies it against the root; returns the chain. */
  public static ChainVerifier.VerifiedChain issueAndVerify(SignetClient client, String token,
      List<X509Certificate> roots) throws Exception {
    KeyPair keys = CsrBuilder.ecP256();
    List<String> chain = client.createCertificate(CsrBuilder.istioAgent(keys, ID),
        Duration.ofHours(1), token, Duration.ofSeconds(30));
    return ChainVerifier.verify(chain, keys.getPublic(), ID, roots);
  }

  public List<X509Certificate> roots() throws Exception {
    return Pem.certificates(Files.readString(rootFile));
  }

  @Override
  public void close() {
    server.close();
  }
}
