package dev.signet.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.sun.net.httpserver.HttpServer;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.ca.CaFiles;
import dev.signet.ca.FilesCaSource;
import dev.signet.client.ChainVerifier;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.pki.CaCertificates;
import dev.signet.pki.KeyFiles;
import dev.signet.pki.Pem;
import dev.signet.testing.LogCapture;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.stub.StreamObserver;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The gRPC endpoint itself: TLS versions, health, reflection, load shedding, CA rotation. */
class EndpointTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";

  @Test
  void healthAndReflectionAreServed(@TempDir Path dir) throws Exception {
    try (RunningSignet signet = RunningSignet.start(dir, "server.reflection=true");
        SignetClient client = signet.client()) {
      HealthGrpc.HealthBlockingStub health = HealthGrpc.newBlockingStub(client.channel());
      assertThat(health.check(HealthCheckRequest.getDefaultInstance()).getStatus())
          .isEqualTo(ServingStatus.SERVING);
      assertThat(health.check(HealthCheckRequest.newBuilder()
          .setService(IstioCertificateServiceGrpc.SERVICE_NAME).build()).getStatus())
          .isEqualTo(ServingStatus.SERVING);

      List<String> services = new ArrayList<>();
      listServices(client).get(30, TimeUnit.SECONDS).getListServicesResponse().getServiceList()
          .forEach(s -> services.add(s.getName()));
      assertThat(services).contains("istio.v1.auth.IstioCertificateService",
          "grpc.health.v1.Health");
    }
  }

  @Test
  void reflectionIsOffByDefault(@TempDir Path dir) throws Exception {
    try (RunningSignet signet = RunningSignet.start(dir); SignetClient client = signet.client()) {
      Throwable refused = catchThrowableOfType(java.util.concurrent.ExecutionException.class,
          () -> listServices(client).get(30, TimeUnit.SECONDS)).getCause();
      assertThat(refused).isInstanceOfSatisfying(StatusRuntimeException.class,
          e -> assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNIMPLEMENTED));
    }
  }

  /** Asks server reflection for its services; the future holds the first answer or the error. */
  private static CompletableFuture<ServerReflectionResponse> listServices(SignetClient client) {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests = ServerReflectionGrpc
        .newStub(client.channel()).serverReflectionInfo(new StreamObserver<>() {
          @Override
          public void onNext(ServerReflectionResponse r) {
            answer.complete(r);
          }

          @Override
          public void onError(Throwable t) {
            answer.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {}
        });
    requests.onNext(ServerReflectionRequest.newBuilder().setListServices("").build());
    requests.onCompleted();
    return answer;
  }

  @Test
  void speaksTls13AndTls12WithAlpnH2(@TempDir Path dir) throws Exception {
    try (RunningSignet signet = RunningSignet.start(dir)) {
      assertThat(handshake(signet.server.grpcPort(), "TLSv1.3").getSession().getProtocol())
          .isEqualTo("TLSv1.3");
      assertThat(handshake(signet.server.grpcPort(), "TLSv1.2").getSession().getProtocol())
          .isEqualTo("TLSv1.2");
    }
  }

  @Test
  void shedsLoadBeyondTheInFlightLimitWithResourceExhausted(@TempDir Path dir) throws Exception {
    CountDownLatch arrived = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    HttpServer jwks = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 8);
    jwks.createContext("/jwks", ex -> {
      arrived.countDown();
      try {
        release.await(30, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      byte[] body = Files.readAllBytes(dir.resolve("jwks.json"));
      ex.sendResponseHeaders(200, body.length);
      ex.getResponseBody().write(body);
      ex.close();
    });
    jwks.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
    jwks.start();
    try (RunningSignet signet = RunningSignet.start(dir,
            "auth.jwt.jwks-url=http://127.0.0.1:" + jwks.getAddress().getPort() + "/jwks",
            "auth.jwt.allow-insecure-http=true",
            "auth.jwt.issuer=signet-dev", "server.max-concurrent-requests=1");
        SignetClient client = signet.client()) {
      KeyPair keys = CsrBuilder.ecP256();
      CompletableFuture<List<String>> first = CompletableFuture.supplyAsync(() ->
          client.createCertificate(CsrBuilder.istioAgent(keys, ID), Duration.ofHours(1),
              signet.token("shop", "cart"), Duration.ofSeconds(60)));
      assertThat(arrived.await(30, TimeUnit.SECONDS)).as("first call reached the JWKS").isTrue();

      StatusRuntimeException shed = catchThrowableOfType(StatusRuntimeException.class,
          () -> client.createCertificate(CsrBuilder.istioAgent(CsrBuilder.ecP256(), ID),
              Duration.ofHours(1), signet.token("shop", "cart"), Duration.ofSeconds(30)));
      assertThat(shed.getStatus().getCode()).isEqualTo(Status.Code.RESOURCE_EXHAUSTED);
      assertThat(shed.getStatus().getDescription()).contains("limit of 1 requests in flight");

      release.countDown();
      List<String> chain = first.get(60, TimeUnit.SECONDS);
      assertThat(ChainVerifier.verify(chain, keys.getPublic(), ID, List.of()).leaf()).isNotNull();
      assertThat(signet.server.registry().get("signet.create_certificate.requests")
          .tag("outcome", "overloaded").counter().count()).isEqualTo(1.0);
    } finally {
      release.countDown();
      jwks.stop(0);
    }
  }

  @Test
  void caRotationSwitchesSigningAndRenewsTheServingCertificate(@TempDir Path dir)
      throws Exception {
    try (RunningSignet signet = RunningSignet.start(dir)) {
      X509Certificate oldServing = handshake(signet.server.grpcPort(), "TLSv1.3").getSession()
          .getPeerCertificates()[0] instanceof X509Certificate x ? x : null;

      KeyPair rootKeys = CaCertificates.ecKeyPair("secp256r1");
      X509Certificate root = CaCertificates.root("CN=Rotated root", rootKeys,
          Duration.ofDays(30));
      KeyPair caKeys = CaCertificates.ecKeyPair("secp256r1");
      X509Certificate ca = CaCertificates.intermediate("CN=Rotated signing CA",
          caKeys.getPublic(), root, rootKeys.getPrivate(), Duration.ofDays(10), 0);
      KeyFiles.writePrivateKey(dir.resolve(CaFiles.CA_KEY), caKeys.getPrivate());
      KeyFiles.writePublic(dir.resolve(CaFiles.ROOT_CERT), Pem.encode(root));
      KeyFiles.writePublic(dir.resolve(CaFiles.CERT_CHAIN), Pem.encode(ca) + Pem.encode(root));
      KeyFiles.writePublic(dir.resolve(CaFiles.CA_CERT), Pem.encode(ca));
      assertThat(((FilesCaSource) signet.server.ca()).reload())
          .isEqualTo(FilesCaSource.ReloadResult.RELOADED);

      X509Certificate newServing = (X509Certificate) handshake(signet.server.grpcPort(),
          "TLSv1.3").getSession().getPeerCertificates()[0];
      assertThat(newServing.getSerialNumber()).isNotEqualTo(oldServing.getSerialNumber());
      assertThat(newServing.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
      newServing.verify(ca.getPublicKey());

      try (SignetClient client = signet.client()) {
        KeyPair keys = CsrBuilder.ecP256();
        List<String> chain = client.createCertificate(CsrBuilder.istioAgent(keys, ID),
            Duration.ofHours(1), signet.token("shop", "cart"), Duration.ofSeconds(30));
        X509Certificate leaf = ChainVerifier.verify(chain, keys.getPublic(), ID, List.of(root))
            .leaf();
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        assertThat(chain.get(chain.size() - 1)).isEqualTo(Pem.encode(root));
      }
    }
  }

  @Test
  void halfWrittenCaRotationIsRefusedAndTheOldCaKeepsSigning(@TempDir Path dir)
      throws Exception {
    try (RunningSignet signet = RunningSignet.start(dir)) {
      X509Certificate oldCa = signet.server.ca().current().certificate();
      X509Certificate oldRoot = signet.server.ca().current().roots().get(0);
      KeyPair rootKeys = CaCertificates.ecKeyPair("secp256r1");
      X509Certificate root = CaCertificates.root("CN=Next root", rootKeys, Duration.ofDays(30));
      KeyPair caKeys = CaCertificates.ecKeyPair("secp256r1");
      X509Certificate ca = CaCertificates.intermediate("CN=Next signing CA",
          caKeys.getPublic(), root, rootKeys.getPrivate(), Duration.ofDays(10), 0);

      // The operator's copy has written the new certificate but not yet the new key.
      KeyFiles.writePublic(dir.resolve(CaFiles.CA_CERT), Pem.encode(ca));
      try (LogCapture log = LogCapture.of(FilesCaSource.class.getName())) {
        assertThat(((FilesCaSource) signet.server.ca()).reload())
            .isEqualTo(FilesCaSource.ReloadResult.REFUSED);
        assertThat(log.messages()).singleElement().satisfies(m -> assertThat(m)
            .contains("refusing the new CA files in " + dir).contains("still signing with"));
      }
      assertThat(signet.server.ca().current().certificate()).isEqualTo(oldCa);
      assertIssuedBy(signet, oldCa, oldRoot);

      // The rest of the set arrives: now it is whole and consistent, and it is taken.
      KeyFiles.writePrivateKey(dir.resolve(CaFiles.CA_KEY), caKeys.getPrivate());
      KeyFiles.writePublic(dir.resolve(CaFiles.ROOT_CERT), Pem.encode(root));
      KeyFiles.writePublic(dir.resolve(CaFiles.CERT_CHAIN), Pem.encode(ca) + Pem.encode(root));
      assertThat(((FilesCaSource) signet.server.ca()).reload())
          .isEqualTo(FilesCaSource.ReloadResult.RELOADED);
      assertIssuedBy(signet, ca, root);
    }
  }

  private static void assertIssuedBy(RunningSignet signet, X509Certificate ca,
      X509Certificate root) throws Exception {
    // A fresh client trusting the root file as it is now, like an agent's mounted root.
    try (SignetClient client = SignetClient.connect("localhost", signet.server.grpcPort(),
        signet.dir.resolve(CaFiles.ROOT_CERT).toFile())) {
      KeyPair keys = CsrBuilder.ecP256();
      List<String> chain = client.createCertificate(CsrBuilder.istioAgent(keys, ID),
          Duration.ofHours(1), signet.token("shop", "cart"), Duration.ofSeconds(30));
      X509Certificate leaf = ChainVerifier.verify(chain, keys.getPublic(), ID, List.of(root))
          .leaf();
      assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
      leaf.verify(ca.getPublicKey());
    }
  }

  /** A bare TLS handshake that records the server's certificate without trusting it. */
  private static SSLSocket handshake(int port, String protocol) throws Exception {
    SSLContext ctx = dev.signet.testing.RawHttp2Client.trustingAnyServer();
    SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
    try (s) {
      s.setEnabledProtocols(new String[] {protocol});
      javax.net.ssl.SSLParameters p = s.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      s.setSSLParameters(p);
      s.startHandshake();
      assertThat(s.getApplicationProtocol()).isEqualTo("h2");
      s.getOutputStream().write("".getBytes(StandardCharsets.US_ASCII));
    }
    return s;
  }
}
