package dev.signet.vault;

import dev.signet.client.ChainVerifier.VerifiedChain;
import dev.signet.client.SignetClient;
import dev.signet.lint.CertLint;
import dev.signet.lint.Shapes;
import dev.signet.lint.SvidRules;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shapes of the Vault custody models, linted like the dev-mode ones
 * ({@code dev.signet.lint.CertificateLintTest}): with vault-pki, the signing certificate Vault's
 * PKI engine issues for Signet's key, the mesh intermediate and root deploy/vault/setup.sh makes,
 * and a leaf; with vault-transit, a leaf signed by Transit and its signing certificate.
 */
class VaultCertificateLintTest {
  private static final String TRUST_DOMAIN = "cluster.local";
  @TempDir static Path dir;
  @RegisterExtension static final VaultFixture fixture = new VaultFixture();
  static CertLint lint;

  @BeforeAll
  static void linters() throws Exception {
    lint = CertLint.require(Files.createDirectory(dir.resolve("lint")));
  }

  @Test
  void vaultPkiShapesAreClean() throws Exception {
    Path d = Files.createDirectory(dir.resolve("pki"));
    try (VaultSignet signet = VaultSignet.start(d, "vault-pki", fixture.setup().approle("pki", d));
        SignetClient client = signet.client()) {
      assertChainClean("vault-pki", VaultSignet.issueAndVerify(client, signet.token(),
          signet.roots()));
    }
  }

  @Test
  void vaultTransitShapesAreClean() throws Exception {
    Path d = Files.createDirectory(dir.resolve("transit"));
    String[] auth = fixture.setup().approle("transit", d);
    String[] all = java.util.Arrays.copyOf(auth, auth.length + 1);
    all[auth.length] = TransitCaTest.CHAIN;
    try (VaultSignet signet = VaultSignet.start(d, "vault-transit", all);
        SignetClient client = signet.client()) {
      assertChainClean("vault-transit", VaultSignet.issueAndVerify(client, signet.token(),
          signet.roots()));
    }
  }

  /** The leaf, every CA certificate above it and the root, each with its link to its issuer. */
  private static void assertChainClean(String model, VerifiedChain v) throws Exception {
    List<X509Certificate> chain = new ArrayList<>();
    chain.add(v.leaf());
    chain.addAll(v.intermediates());
    X509Certificate root = v.roots().stream()
        .filter(r -> r.getSubjectX500Principal().equals(
            chain.get(chain.size() - 1).getIssuerX500Principal()))
        .findFirst().orElseThrow();
    if (!chain.get(chain.size() - 1).equals(root)) {
      chain.add(root);
    }
    Shapes.assertClean(lint, model + " leaf", v.leaf(), chain.get(1),
        SvidRules.leaf(v.leaf(), TRUST_DOMAIN));
    for (int i = 1; i < chain.size(); i++) {
      X509Certificate c = chain.get(i);
      X509Certificate issuer = i + 1 < chain.size() ? chain.get(i + 1) : c;
      String name = model + (i == 1 ? " signing certificate" : i + 1 == chain.size() ? " root"
          : " intermediate " + i) + " (" + c.getSubjectX500Principal().getName() + ")";
      Shapes.assertClean(lint, name, c, issuer, SvidRules.signing(c, TRUST_DOMAIN, i - 1));
    }
  }
}
