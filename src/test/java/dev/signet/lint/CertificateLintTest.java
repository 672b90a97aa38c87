package dev.signet.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.client.SignetClient;
import dev.signet.config.SignetConfig.IstiodCert;
import dev.signet.dev.DevTokens;
import dev.signet.issue.LeafSigner;
import dev.signet.issue.SubjectAltNames;
import dev.signet.kube.trust.IstiodCertPublisher;
import dev.signet.pki.CaCertificates;
import dev.signet.pki.Pem;
import dev.signet.server.SignetServer;
import dev.signet.testing.Csrs;
import dev.signet.testing.LoopbackSignet;
import java.io.ByteArrayInputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every certificate shape a dev-mode Signet emits, linted by zlint and pkilint and checked
 * against the X509-SVID rules: workload leaves for each CSR key type (issued over gRPC), a
 * renewal leaf with its proof time, the serving certificate (read from a TLS handshake),
 * istiod's certificate, and the dev CA's root and signing certificates. The Vault custody
 * models' shapes are in {@code dev.signet.vault.VaultCertificateLintTest}. Each shape's summary
 * is printed (surefire's output file) for docs/compatibility.md.
 */
class CertificateLintTest {
  static final String TRUST_DOMAIN = "cluster.local";
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";
  @TempDir static Path dir;
  static CertLint lint;
  static SignetServer server;
  static SignetClient client;
  static DevTokens tokens;

  @BeforeAll
  static void start() throws Exception {
    lint = CertLint.require(Files.createDirectory(dir.resolve("lint")));
    Path ca = dir.resolve("ca");
    server = SignetServer.start(LoopbackSignet.config(ca));
    tokens = DevTokens.open(ca);
    client = SignetClient.connect("localhost", server.grpcPort(),
        ca.resolve("root-cert.pem").toFile());
  }

  @AfterAll
  static void stop() {
    if (client != null) {
      client.close();
    }
    if (server != null) {
      server.close();
    }
  }

  @Test
  void workloadLeavesOfEveryKeyTypeAreClean() throws Exception {
    record Shape(String name, Csrs csr, boolean rsa) {}
    for (Shape s : List.of(new Shape("RSA-2048", Csrs.forUri(ID).rsa(2048), true),
        new Shape("RSA-3072", Csrs.forUri(ID).rsa(3072), true),
        new Shape("RSA-4096", Csrs.forUri(ID).rsa(4096), true),
        new Shape("P-256", Csrs.forUri(ID), false),
        new Shape("P-384", Csrs.forUri(ID).ecCurve("secp384r1"), false))) {
      List<X509Certificate> chain = issue(s.csr().pem());
      X509Certificate leaf = chain.get(0);
      assertThat(leaf.getKeyUsage()).as(s.name()).containsExactly(true, false, s.rsa(), false,
          false, false, false, false, false);
      Shapes.assertClean(lint, "workload leaf " + s.name(), leaf, chain.get(1),
          SvidRules.leaf(leaf, TRUST_DOMAIN));
    }
  }

  @Test
  void renewalLeafWithItsProofTimeIsClean() throws Exception {
    var authority = server.ca().current();
    KeyPair keys = CaCertificates.ecKeyPair("secp256r1");
    Instant now = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    X509Certificate leaf = parse(new LeafSigner().signRenewal(authority,
        keys.getPublic().getEncoded(), SubjectAltNames.uri(ID), now.minusSeconds(120),
        now.plus(Duration.ofHours(1)), now.minus(Duration.ofHours(3))).der());
    assertThat(leaf.getNonCriticalExtensionOIDs()).contains("2.5.29.9");
    Shapes.assertClean(lint, "renewal leaf (proof time)", leaf, authority.certificate(),
        SvidRules.leaf(leaf, TRUST_DOMAIN));
  }

  @Test
  void servingCertificateIsClean() throws Exception {
    List<X509Certificate> served = Shapes.handshake("localhost", server.grpcPort(),
        server.ca().current().roots());
    X509Certificate leaf = served.get(0);
    assertThat(leaf.getKeyUsage()).containsExactly(true, false, false, false, false, false,
        false, false, false);
    Shapes.assertClean(lint, "serving certificate (dev: + localhost)", leaf, served.get(1),
        List.of());
  }

  @Test
  void istiodCertificateIsClean() throws Exception {
    var authority = server.ca().current();
    IstiodCertPublisher publisher = new IstiodCertPublisher(null, server.ca(), new LeafSigner(),
        new IstiodCert(true, "istio-system", java.util.List.of("canary"), java.util.List.of(),
            Duration.ofHours(24)), TRUST_DOMAIN,
        Clock.systemUTC(), null);
    X509Certificate leaf = parse(publisher.issue(authority,
        CaCertificates.ecKeyPair("secp256r1").getPublic()).der());
    // istiod's Service, the canary revision's Service and its service account.
    assertThat(leaf.getSubjectAlternativeNames()).hasSize(3);
    Shapes.assertClean(lint, "istiod-tls", leaf, authority.certificate(),
        SvidRules.leaf(leaf, TRUST_DOMAIN));
  }

  @Test
  void devCaRootAndSigningCertificatesAreClean() throws Exception {
    var authority = server.ca().current();
    X509Certificate root = authority.roots().get(0);
    X509Certificate signing = authority.certificate();
    Shapes.assertClean(lint, "dev CA root", root, root, SvidRules.signing(root, TRUST_DOMAIN, 1));
    Shapes.assertClean(lint, "dev CA signing certificate", signing, root,
        SvidRules.signing(signing, TRUST_DOMAIN, 0));
  }

  /** The gate works: the defect of issue 13 (keyEncipherment on a P-256 leaf) fails it. */
  @Test
  void anEcdsaLeafWithKeyEnciphermentFails() throws Exception {
    var authority = server.ca().current();
    X509Certificate bad = Shapes.ecLeafWithKeyEncipherment(authority.certificate(),
        Pem.decodeAll(Files.readString(dir.resolve("ca").resolve("ca-key.pem"))).get(0).der(),
        ID);
    CertLint.Result r = lint.lint(bad);
    assertThat(r.failing()).extracting(CertLint.Finding::code).contains("e_ecdsa_allowed_ku");
  }

  private static List<X509Certificate> issue(String csr) throws Exception {
    List<String> pems = client.createCertificate(csr, Duration.ofHours(24),
        tokens.issue("shop", "cart", List.of("istio-ca"), Duration.ofMinutes(10)),
        Duration.ofSeconds(60));
    return Pem.certificates(String.join("", pems));
  }

  private static X509Certificate parse(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
  }
}
