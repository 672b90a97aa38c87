package dev.signet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.dev.DevTokens;
import dev.signet.testing.Csrs;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every way a CreateCertificate call is refused, over the real TLS endpoint: the status code
 * Istio's agent treats as final, a message that says what was wrong, and never the credential.
 */
class RejectionsTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";
  @TempDir static Path dir;
  @TempDir static Path strangerDir;
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

  private static Status refuse(String csr, String token) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> client.createCertificate(csr, Duration.ofHours(1), token, Duration.ofSeconds(30)));
    assertThat(e).as("the call must be refused").isNotNull();
    if (token != null) {
      assertThat(e.getStatus().getDescription()).doesNotContain(token);
    }
    return e.getStatus();
  }

  private static String csr() {
    return CsrBuilder.istioAgent(CsrBuilder.ecP256(), ID);
  }

  @Test
  void noCredentials() {
    Status s = refuse(csr(), null);
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("no credentials").contains("Bearer");
  }

  @Test
  void tokenThatIsNotAJwt() {
    Status s = refuse(csr(), "not-a-jwt-secret-value");
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).startsWith("the bearer token is not a JWT");
  }

  @Test
  void tokenFromAnotherIssuerKey() throws IOException {
    String forged = DevTokens.open(strangerDir).issue("shop", "cart", List.of("istio-ca"),
        Duration.ofMinutes(5));
    Status s = refuse(csr(), forged);
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("signature does not verify");
  }

  @Test
  void tokenForAnotherAudience() {
    String token = signet.tokens.issue("shop", "cart", List.of("vault"), Duration.ofMinutes(5));
    Status s = refuse(csr(), token);
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("audience is not one of [istio-ca]");
  }

  @Test
  void expiredToken() {
    String token = signet.tokens.issue("shop", "cart", List.of("istio-ca"),
        Duration.ofMinutes(-5));
    Status s = refuse(csr(), token);
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("has expired");
  }

  @Test
  void csrForAnotherIdentityThanTheToken() {
    Status s = refuse(csr(), signet.token("shop", "payments"));
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).isEqualTo("the CSR asks for '" + ID + "' but the caller's "
        + "credentials prove 'spiffe://cluster.local/ns/shop/sa/payments'");
  }

  @Test
  void malformedCsr() {
    Status s = refuse("-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n-----END CERTIFICATE "
        + "REQUEST-----\n", signet.token("shop", "cart"));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).isEqualTo("the CSR is not a valid PKCS#10 structure");
  }

  @Test
  void emptyCsr() {
    Status s = refuse("", signet.token("shop", "cart"));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains("field 'csr' is empty");
  }

  static Stream<Arguments> csrsOutsidePolicy() {
    return Stream.of(
        Arguments.of("DNS SAN", Csrs.forUri(ID).alsoDns("cart.shop.svc"), "asks for a DNS SAN"),
        Arguments.of("IP SAN", Csrs.forUri(ID).alsoIp("10.0.0.1"), "asks for an IP SAN"),
        Arguments.of("e-mail SAN", Csrs.forUri(ID).alsoEmail("cart@shop"),
            "asks for an e-mail SAN"),
        Arguments.of("two URIs", Csrs.forUri(ID).alsoUri("spiffe://cluster.local/ns/x/sa/y"),
            "more than one URI SAN"),
        Arguments.of("a CN", Csrs.forUri(ID).subject("CN=cart"),
            "subject must be empty or only O; it has CN"),
        Arguments.of("a CA extension", Csrs.forUri(ID).askingToBeACa(),
            "carries extension 2.5.29.19; only SubjectAltName, KeyUsage and ExtKeyUsage"),
        Arguments.of("no SAN", Csrs.forUri(ID).withoutExtensions(), "has no SubjectAltName"),
        Arguments.of("RSA-1024", Csrs.forUri(ID).rsa(1024),
            "RSA key has 1024 bits; use 2048 to 8192"),
        Arguments.of("P-521", Csrs.forUri(ID).ecCurve("secp521r1"), "not on P-256 or P-384"),
        Arguments.of("SHA-1", Csrs.forUri(ID).rsa(2048).signedWith("SHA1withRSA"),
            "signature algorithm (1.2.840.113549.1.1.5) is not allowed"),
        Arguments.of("a bad signature", Csrs.forUri(ID).tamperedSignature(),
            "signature does not verify"));
  }

  @ParameterizedTest(name = "a CSR with {0} is INVALID_ARGUMENT")
  @MethodSource("csrsOutsidePolicy")
  void csrOutsidePolicyIsInvalidArgumentNotInternal(String what, Csrs csr, String message) {
    Status s = refuse(csr.pem(), signet.token("shop", "cart"));
    assertThat(s.getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
    assertThat(s.getDescription()).contains(message);
  }

  @Test
  void refusalsAreCountedByOutcome() {
    double before = count("unauthenticated");
    refuse(csr(), null);
    assertThat(count("unauthenticated")).isEqualTo(before + 1);
  }

  private static double count(String outcome) {
    return signet.server.registry().get("signet.create_certificate.requests")
        .tag("outcome", outcome).counter().count();
  }
}
