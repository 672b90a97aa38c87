package dev.signet.hostile;

import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.api.v1.IstioCertificateResponse;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.dev.DevTokens;
import dev.signet.server.SignetServer;
import dev.signet.spiffe.SpiffeId;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.LoopbackSignet;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.MetadataUtils;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A real Signet (dev CA, gRPC over TLS on 127.0.0.1) for attacks, and clients that connect to
 * it from a chosen loopback address, so the per-peer limits see an attacker (127.0.0.2) apart
 * from a legitimate caller (127.0.0.1).
 */
final class HostileSignet implements AutoCloseable {
  static final String CREATE_CERTIFICATE =
      "/istio.v1.auth.IstioCertificateService/CreateCertificate";

  final Path dir;
  final SignetServer server;
  private final List<ManagedChannel> channels = new ArrayList<>();

  private HostileSignet(Path dir, SignetServer server) {
    this.dir = dir;
    this.server = server;
  }

  static HostileSignet start(Path dir, String... settings) throws IOException {
    return new HostileSignet(dir, SignetServer.start(LoopbackSignet.config(dir, settings)));
  }

  /** Applies deploy/kubernetes/rbac.yaml and returns a kubeconfig for Signet's account. */
  static Path signetKubeconfig(KubeTestCluster cluster) throws IOException {
    return dev.signet.kube.KubeSignet.signetKubeconfig(cluster, "signet");
  }

  /** A TLS channel to this Signet whose connections come from {@code localAddress}. */
  ManagedChannel channelFrom(String localAddress) throws IOException {
    ManagedChannel channel = NettyChannelBuilder
        .forAddress(new InetSocketAddress("127.0.0.1", server.grpcPort()))
        .overrideAuthority("localhost")
        .localSocketPicker(new NettyChannelBuilder.LocalSocketPicker() {
          @Override
          public InetSocketAddress createSocketAddress(java.net.SocketAddress remote,
              io.grpc.Attributes attrs) {
            return new InetSocketAddress(localAddress, 0);
          }
        })
        .sslContext(GrpcSslContexts.forClient()
            .trustManager(dir.resolve("root-cert.pem").toFile()).build())
        .build();
    synchronized (channels) {
      channels.add(channel);
    }
    return channel;
  }

  /** A stub that sends {@code authorization} exactly as given (null: none). */
  static IstioCertificateServiceGrpc.IstioCertificateServiceFutureStub stub(
      ManagedChannel channel, String authorization) {
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER),
          authorization);
    }
    return IstioCertificateServiceGrpc.newFutureStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers))
        .withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  /** A CreateCertificate request for ns/sa as istio-agent sends it. */
  static IstioCertificateRequest request(String namespace, String serviceAccount) {
    String id = SpiffeId.of("cluster.local", namespace, serviceAccount).toString();
    return IstioCertificateRequest.newBuilder()
        .setCsr(CsrBuilder.istioAgent(CsrBuilder.ecP256(), id)).setValidityDuration(3600).build();
  }

  /** Asks for a certificate over {@code channel}; throws StatusRuntimeException if refused. */
  static IstioCertificateResponse call(ManagedChannel channel, String namespace,
      String serviceAccount, String token) throws Exception {
    try {
      return stub(channel, token == null ? null : "Bearer " + token)
          .createCertificate(request(namespace, serviceAccount)).get(60, TimeUnit.SECONDS);
    } catch (java.util.concurrent.ExecutionException e) {
      if (e.getCause() instanceof Exception c) {
        throw c;
      }
      throw e;
    }
  }

  /** A meter's count (counter or timer) from Signet's registry, 0 when absent. */
  double count(String name, String... tags) {
    var search = server.registry().find(name).tags(tags);
    if (search.counter() != null) {
      return search.counter().count();
    }
    return search.timer() == null ? 0 : search.timer().count();
  }

  /** TokenReviews sent to the API servers so far. */
  double reviews() {
    return count("signet.tokenreview.duration");
  }

  int grpcPort() {
    return server.grpcPort();
  }

  int adminPort() {
    return server.adminPort();
  }

  /**
   * A legitimate workload's certificate request (a dev-mode token), on a connection of its own
   * from 127.0.0.1: what each attack must not take away.
   */
  List<String> legitimateCertificate() throws IOException {
    String token = token("shop", "cart");
    try (SignetClient client = client()) {
      return client.createCertificate(CsrBuilder.istioAgent(CsrBuilder.ecP256(),
          "spiffe://cluster.local/ns/shop/sa/cart"), Duration.ofHours(1), token,
          Duration.ofSeconds(10));
    }
  }

  /** A dev-mode token for {@code namespace/serviceAccount} with audience istio-ca. */
  String token(String namespace, String serviceAccount) throws IOException {
    return DevTokens.open(dir).issue(namespace, serviceAccount, List.of("istio-ca"),
        Duration.ofMinutes(10));
  }

  /** A client presenting {@code chain} (leaf first) with {@code key}, from 127.0.0.1. */
  SignetClient client(java.security.PrivateKey key, List<java.security.cert.X509Certificate> chain)
      throws IOException {
    return SignetClient.connect("localhost", server.grpcPort(),
        dir.resolve("root-cert.pem").toFile(), key, chain);
  }

  /** A client of the existing kind, for simple calls from 127.0.0.1. */
  SignetClient client() throws IOException {
    return SignetClient.connect("localhost", server.grpcPort(),
        dir.resolve("root-cert.pem").toFile());
  }

  @Override
  public void close() {
    synchronized (channels) {
      channels.forEach(ManagedChannel::shutdownNow);
    }
    server.close();
  }
}
