package dev.signet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import dev.signet.client.ChainVerifier;
import dev.signet.client.ChainVerifier.VerifiedChain;
import dev.signet.client.CsrBuilder;
import dev.signet.testing.LogCapture;
import dev.signet.client.SignetClient;
import dev.signet.pki.Pem;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.security.KeyPair;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * CreateCertificate end to end: a real Signet process-equivalent on loopback, a real grpc-netty
 * client over TLS, CSRs in the exact shapes Istio's agent and ztunnel write.
 */
class CreateCertificateTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";
  @TempDir static java.nio.file.Path dir;
  static RunningSignet signet;
  static SignetClient client;

  @BeforeAll
  static void start() throws IOException {
    signet = RunningSignet.start(dir);
    client = signet.client();
  }

  @AfterAll
  static void stop() {
    client.close();
    signet.close();
  }

  /**
   * A caller's first call (its token not yet checked) goes to the authentication pool; once the
   * verdict is cached, with the CA key in process, calls run on the transport thread.
   */
  @Test
  void aKnownTokenIsServedOnTheTransportThreadANewOneOnTheAuthPool() {
    String id = "spiffe://cluster.local/ns/shop/sa/repeat";
    String token = signet.token("shop", "repeat");
    String csr = CsrBuilder.istioAgent(CsrBuilder.ecP256(), id);
    double transport = dispatched("transport");
    double auth = dispatched("auth");
    client.createCertificate(csr, Duration.ofHours(1), token, Duration.ofSeconds(30));
    assertThat(dispatched("auth")).isEqualTo(auth + 1);
    assertThat(dispatched("transport")).isEqualTo(transport);
    client.createCertificate(csr, Duration.ofHours(1), token, Duration.ofSeconds(30));
    client.createCertificate(csr, Duration.ofHours(1), token, Duration.ofSeconds(30));
    assertThat(dispatched("transport")).isEqualTo(transport + 2);
    assertThat(dispatched("auth")).isEqualTo(auth + 1);
  }

  private static double dispatched(String thread) {
    return signet.server.registry().get("signet.create_certificate.dispatch")
        .tag("thread", thread).counter().count();
  }

  private static List<X509Certificate> trusted() throws Exception {
    return Pem.certificates(java.nio.file.Files.readString(dir.resolve("root-cert.pem")));
  }

  @Test
  void sidecarRsaCsrGetsAnIstioShapedLeafAndChain() throws Exception {
    KeyPair keys = CsrBuilder.rsa2048();
    Instant before = Instant.now().truncatedTo(ChronoUnit.SECONDS);
    List<String> chain = client.createCertificate(CsrBuilder.istioAgent(keys, ID),
        Duration.ofHours(24), signet.token("shop", "cart"), Duration.ofSeconds(30));

    assertThat(chain).hasSize(3).allSatisfy(pem -> assertThat(pem).endsWith("\n"));
    VerifiedChain v = ChainVerifier.verify(chain, keys.getPublic(), ID, trusted());
    X509Certificate leaf = v.leaf();
    X509Certificate ca = v.intermediates().get(0);
    assertThat(leaf.getVersion()).isEqualTo(3);
    assertThat(leaf.getSubjectX500Principal().getEncoded()).containsExactly(0x30, 0x00);
    assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
    assertThat(leaf.getSerialNumber().signum()).isPositive();
    assertThat(leaf.getSerialNumber().bitLength()).isLessThanOrEqualTo(128).isGreaterThan(64);
    assertThat(leaf.getSigAlgName()).isEqualTo("SHA256withECDSA");
    assertThat(leaf.getCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        Extension.keyUsage.getId(), Extension.basicConstraints.getId(),
        Extension.subjectAlternativeName.getId());
    assertThat(leaf.getNonCriticalExtensionOIDs()).containsExactlyInAnyOrder(
        Extension.extendedKeyUsage.getId(), Extension.authorityKeyIdentifier.getId(),
        Extension.subjectKeyIdentifier.getId());
    assertThat(leaf.getKeyUsage()).containsExactly(true, false, true, false, false, false, false,
        false, false);
    assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1",
        "1.3.6.1.5.5.7.3.2");
    assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
    assertThat(leaf.getExtensionValue(Extension.basicConstraints.getId())).isNotNull();
    assertThat(leaf.getSubjectAlternativeNames()).containsExactly(List.of(6, ID));
    byte[] aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        leaf.getExtensionValue(Extension.authorityKeyIdentifier.getId())).getOctets())
        .getKeyIdentifierObject().getOctets();
    byte[] ski = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        ca.getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets())
        .getKeyIdentifier();
    assertThat(aki).isEqualTo(ski);
    assertThat(leaf.getNotBefore().toInstant())
        .isCloseTo(before.minus(Duration.ofMinutes(2)), within(5, ChronoUnit.SECONDS));
    assertThat(Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant()))
        .isEqualTo(Duration.ofHours(24).plusMinutes(2));
    assertThat(v.roots()).containsExactlyElementsOf(trusted());
    leaf.checkValidity();
  }

  @Test
  void ztunnelEcdsaCsrOverTls13() throws Exception {
    KeyPair keys = CsrBuilder.ecP256();
    try (SignetClient tls13 = SignetClient.connectTls13Only("localhost",
        signet.server.grpcPort(), dir.resolve("root-cert.pem").toFile())) {
      List<String> chain = tls13.createCertificate(CsrBuilder.ztunnel(keys, ID),
          Duration.ZERO, signet.token("shop", "cart"), Duration.ofSeconds(30));
      VerifiedChain v = ChainVerifier.verify(chain, keys.getPublic(), ID, trusted());
      assertThat(v.leaf().getPublicKey().getAlgorithm()).isEqualTo("EC");
      // digitalSignature only: keyEncipherment is undefined for EC keys (RFC 8813 section 3).
      assertThat(v.leaf().getKeyUsage()).containsExactly(true, false, false, false, false, false,
          false, false, false);
      assertThat(Duration.between(v.leaf().getNotBefore().toInstant(),
          v.leaf().getNotAfter().toInstant())).isEqualTo(Duration.ofHours(24).plusMinutes(2));
    }
  }

  @Test
  void requestedTtlIsClampedIntoPolicyNotRefused() throws Exception {
    assertThat(lifetime(Duration.ofDays(7))).isEqualTo(Duration.ofHours(24));
    assertThat(lifetime(Duration.ofMinutes(10))).isEqualTo(Duration.ofHours(1));
    assertThat(lifetime(Duration.ofHours(12))).isEqualTo(Duration.ofHours(12));
  }

  private static Duration lifetime(Duration requested) throws Exception {
    KeyPair keys = CsrBuilder.ecP256();
    List<String> chain = client.createCertificate(CsrBuilder.istioAgent(keys, ID), requested,
        signet.token("shop", "cart"), Duration.ofSeconds(30));
    X509Certificate leaf = ChainVerifier.verify(chain, keys.getPublic(), ID, trusted()).leaf();
    return Duration.between(leaf.getNotBefore().toInstant(), leaf.getNotAfter().toInstant())
        .minusMinutes(2);
  }

  @Test
  void renewsWithItsOwnCertificateAndNoToken() throws Exception {
    KeyPair first = CsrBuilder.ecP256();
    List<String> chain = client.createCertificate(CsrBuilder.istioAgent(first, ID),
        Duration.ofHours(1), signet.token("shop", "cart"), Duration.ofSeconds(30));
    List<X509Certificate> presented = List.of(parse(chain.get(0)), parse(chain.get(1)));
    try (SignetClient renewing = SignetClient.connect("localhost", signet.server.grpcPort(),
        dir.resolve("root-cert.pem").toFile(), first.getPrivate(), presented)) {
      KeyPair next = CsrBuilder.ecP256();
      List<String> renewed = renewing.createCertificate(CsrBuilder.istioAgent(next, ID),
          Duration.ofHours(1), null, Duration.ofSeconds(30));
      assertThat(ChainVerifier.verify(renewed, next.getPublic(), ID, trusted()).leaf()
          .getSerialNumber()).isNotEqualTo(presented.get(0).getSerialNumber());

      String other = "spiffe://cluster.local/ns/shop/sa/admin";
      assertThatThrownBy(() -> renewing.createCertificate(
          CsrBuilder.istioAgent(CsrBuilder.ecP256(), other), Duration.ofHours(1), null,
          Duration.ofSeconds(30)))
          .isInstanceOfSatisfying(StatusRuntimeException.class, e -> {
            assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
            assertThat(e.getStatus().getDescription()).contains(other).contains(ID);
          });
    }
  }

  @Test
  void auditLogAndMetricsRecordIssuance() throws Exception {
    double before = issued();
    String token = signet.token("shop", "cart");
    List<String> chain;
    List<String> lines;
    try (LogCapture audit = LogCapture.of("signet.audit")) {
      chain = client.createCertificate(CsrBuilder.istioAgent(CsrBuilder.ecP256(), ID),
          Duration.ofHours(1), token, Duration.ofSeconds(30));
      lines = audit.messages();
    }
    assertThat(issued()).isEqualTo(before + 1);
    // As openssl x509 -serial prints it: whole bytes, upper case.
    byte[] magnitude = new java.math.BigInteger(1,
        parse(chain.get(0)).getSerialNumber().toByteArray()).toByteArray();
    String serial = java.util.HexFormat.of().withUpperCase().formatHex(magnitude,
        magnitude.length > 1 && magnitude[0] == 0 ? 1 : 0, magnitude.length);
    assertThat(serial.length() % 2).isZero();
    assertThat(lines).singleElement().satisfies(line -> assertThat(line)
        .contains("serial=" + serial).contains("identity=" + ID).contains("auth=jwt")
        .contains("key=EC-P256").doesNotContain(token));
    assertThat(signet.admin("/readyz").statusCode()).isEqualTo(200);
    assertThat(signet.admin("/healthz").statusCode()).isEqualTo(200);
    String metrics = signet.admin("/metrics").body();
    assertThat(metrics).contains(
        "signet_create_certificate_duration_seconds_bucket{grpc_code=\"OK\",outcome=\"ok\"")
        .contains("signet_ca_expiry_timestamp_seconds");
  }

  private static double issued() throws Exception {
    return signet.server.registry().get("signet.create_certificate.requests")
        .tag("outcome", "ok").counter().count();
  }

  static X509Certificate parse(String pem) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509").generateCertificate(
        new ByteArrayInputStream(Pem.decodeAll(pem).get(0).der()));
  }
}
