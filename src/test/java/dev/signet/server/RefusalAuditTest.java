package dev.signet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.testing.LogCapture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every kind of refusal reaches the audit log at INFO with stable fields, rate-limited per
 * outcome and reason: a flood of one kind neither floods the log nor hides another kind.
 */
class RefusalAuditTest {
  private static final String CART = "spiffe://cluster.local/ns/shop/sa/cart";
  /** Generous: on a loaded machine the first calls to a fresh server are slow. */
  private static final Duration WAIT = Duration.ofMinutes(2);

  @Test
  void failedLoginsImpersonationAndBadCsrsAreEachLoggedAtInfoPerReason(@TempDir Path dir)
      throws Exception {
    try (RunningSignet signet = RunningSignet.start(dir);
        SignetClient client = signet.client();
        LogCapture audit = LogCapture.of("signet.audit")) {
      String token = signet.token("shop", "cart");
      String csr = CsrBuilder.istioAgent(CsrBuilder.ecP256(), CART);
      long started = System.nanoTime();
      for (int i = 0; i < 5; i++) {
        refused(Status.Code.UNAUTHENTICATED, () -> client.createCertificate(csr,
            Duration.ofHours(1), "not-a-jwt", WAIT));
      }
      long windows = 1 + Duration.ofNanos(System.nanoTime() - started).toSeconds() / 10;
      IstioCertificateRequest impersonating = IstioCertificateRequest.newBuilder().setCsr(csr)
          .setValidityDuration(3600).setMetadata(Struct.newBuilder().putFields(
              "ImpersonatedIdentity", Value.newBuilder().setStringValue(
                  "spiffe://cluster.local/ns/bank/sa/vault").build())).build();
      refused(Status.Code.UNAUTHENTICATED,
          () -> client.createCertificate(impersonating, token, null, WAIT));
      String garbled = "-----BEGIN CERTIFICATE REQUEST-----\nAAAA\n"
          + "-----END CERTIFICATE REQUEST-----\n";
      refused(Status.Code.INVALID_ARGUMENT,
          () -> client.createCertificate(garbled, Duration.ofHours(1), token, WAIT));
      String otherIdentity = CsrBuilder.istioAgent(CsrBuilder.ecP256(),
          "spiffe://cluster.local/ns/bank/sa/vault");
      refused(Status.Code.UNAUTHENTICATED,
          () -> client.createCertificate(otherIdentity, Duration.ofHours(1), token, WAIT));

      List<LogRecord> refusals = audit.records().stream()
          .filter(r -> r.getMessage().startsWith("refused ")).toList();
      assertThat(refusals).allSatisfy(r -> assertThat(r.getLevel()).isEqualTo(Level.INFO));
      List<String> lines = refusals.stream().map(LogRecord::getMessage).toList();
      // The five failed logins share one line per 10 s window; each other reason has its own.
      assertThat(lines.stream().filter(m -> m.startsWith(
          "refused outcome=unauthenticated reason=authentication message="))).hasSizeBetween(1,
          (int) Math.min(5, windows));
      assertThat(lines).containsOnlyOnce(
          "refused outcome=unauthenticated reason=impersonation message='" + CART + "' asked to "
              + "impersonate another identity, but no node accounts are trusted "
              + "(auth.trusted-node-accounts)",
          "refused outcome=invalid_request reason=csr message=the CSR is not a valid PKCS#10 "
              + "structure",
          "refused outcome=unauthenticated reason=identity message=the CSR asks for "
              + "'spiffe://cluster.local/ns/bank/sa/vault' but the caller's credentials prove '"
              + CART + "'");
      assertThat(refusals).extracting(LogRecord::getMessage)
          .noneMatch(m -> m.contains("not-a-jwt") || m.contains(token));
    }
  }

  private static void refused(Status.Code code, Runnable call) {
    assertThatThrownBy(call::run).isInstanceOfSatisfying(StatusRuntimeException.class,
        e -> assertThat(e.getStatus().getCode()).isEqualTo(code));
  }
}
