package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.kube.TokenReviewAuthenticator;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.LogCapture;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Path;
import java.time.Instant;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12, item 13: a caller is told what was wrong with its request in words it can act on,
 * and nothing about Signet's inside: not the API server's error text, not the configured
 * cluster ids, not a library's phrases. A dev-mode Signet (JWT) with a remote cluster
 * configured, and a TokenReview Signet on a real API server.
 */
class InternalsNotToldTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  @TempDir static Path dir;
  static HostileSignet jwt;
  static HostileSignet review;
  static ManagedChannel toJwt;
  static ManagedChannel toReview;

  @BeforeAll
  static void start() throws Exception {
    // A remote cluster whose id must stay Signet's business (its keys: dev mode's own).
    jwt = HostileSignet.start(dir.resolve("jwt"),
        "auth.clusters=id=secret-east;kind=jwt;issuer=signet-dev;jwks-file="
            + dir.resolve("jwt").resolve("jwks.json"));
    review = HostileSignet.start(dir.resolve("review"), "auth.kind=tokenreview",
        "kubernetes.kubeconfig=" + HostileSignet.signetKubeconfig(kube));
    toJwt = jwt.channelFrom("127.0.0.1");
    toReview = review.channelFrom("127.0.0.1");
  }

  @AfterAll
  static void stop() {
    if (jwt != null) {
      jwt.close();
    }
    if (review != null) {
      review.close();
    }
  }

  @Test
  void anUnsignedTokenIsCalledUnsignedNotALibraryPhrase() {
    String none = Forgery.token("{\"alg\":\"none\"}", "{\"iss\":\"signet-dev\",\"sub\":"
        + "\"system:serviceaccount:shop:cart\",\"aud\":\"istio-ca\",\"exp\":"
        + Instant.now().plusSeconds(600).getEpochSecond() + "}", "");
    Status s = refused(toJwt, "Bearer " + none, null);
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("not signed (alg none)")
        .doesNotContain("extend class");
  }

  @Test
  void bearerWithoutATokenIsSaidSoNotAMalformedJwt() {
    Status s = refused(toJwt, "Bearer ", null);
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("carries no token").doesNotContain("JWT");
  }

  @Test
  void aTokenWithoutExpIsSaidToLackExpNotToHaveTheWrongIssuer() throws Exception {
    String noExp = Forgery.devTokenWithoutExp(dir.resolve("jwt"));
    Status s = refused(toJwt, "Bearer " + noExp, null);
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).isEqualTo("the bearer token has no exp claim");
  }

  @Test
  void anUnknownClusterIdIsRefusedWithoutListingTheConfiguredOnes() {
    Status s = refused(toJwt, "Bearer " + Forgery.forged(), "mars");
    assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(s.getDescription()).contains("unknown cluster id 'mars'")
        .contains("auth.clusters").doesNotContain("secret-east").doesNotContain("Kubernetes");
  }

  @Test
  void theApiServersErrorTextIsLoggedNotTold() {
    try (LogCapture log = LogCapture.of(TokenReviewAuthenticator.class.getName())) {
      // Right in shape, audience and expiry: only the API server can refuse it, and it says
      // why in its own words (status.error).
      Status s = refused(toReview, "Bearer " + Forgery.forged(), null);
      assertThat(s.getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
      assertThat(s.getDescription()).contains("did not accept the token")
          .doesNotContain("Kubernetes");
      String said = log.messages().stream()
          .filter(m -> m.contains("did not accept a token: ")).findFirst()
          .map(m -> m.substring(m.indexOf("did not accept a token: ") + 24))
          .orElseThrow(() -> new AssertionError("no log line: " + log.messages()));
      assertThat(said).as("the API server's own words").isNotBlank();
      assertThat(s.getDescription()).doesNotContain(said);
    }
  }

  /** The status of a CreateCertificate that must be refused. */
  private static Status refused(ManagedChannel channel, String authorization, String clusterId) {
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
        authorization);
    if (clusterId != null) {
      headers.put(Metadata.Key.of("clusterid", Metadata.ASCII_STRING_MARSHALLER), clusterId);
    }
    ExecutionException e = catchThrowableOfType(ExecutionException.class,
        () -> IstioCertificateServiceGrpc.newFutureStub(channel)
            .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
            .withDeadlineAfter(30, TimeUnit.SECONDS)
            .createCertificate(HostileSignet.request("shop", "cart")).get());
    assertThat(e).as("the call was refused").isNotNull();
    return ((StatusRuntimeException) e.getCause()).getStatus();
  }
}
