package dev.signet.client;

import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.api.v1.IstioCertificateResponse;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import io.grpc.CallCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.File;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A client of IstioCertificateService over TLS, as Istio's agent calls it: the server verified
 * against a root file, the token sent as {@code authorization: Bearer}, optionally a client
 * certificate.
 */
public final class SignetClient implements AutoCloseable {
  private final ManagedChannel channel;

  private SignetClient(ManagedChannel channel) {
    this.channel = channel;
  }

  /** Connects to {@code host:port}, trusting the roots in {@code rootPem}. */
  public static SignetClient connect(String host, int port, File rootPem) throws SSLException {
    return connect(host, port, rootPem, null, null);
  }

  /** Connects with TLS 1.3 only, as ztunnel does by default. */
  public static SignetClient connectTls13Only(String host, int port, File rootPem)
      throws SSLException {
    return connect(host, port, rootPem, null, null, "TLSv1.3");
  }

  /** Connects presenting a client certificate chain (leaf first) and its key. */
  public static SignetClient connect(String host, int port, File rootPem, PrivateKey key,
      List<X509Certificate> chain) throws SSLException {
    return connect(host, port, rootPem, key, chain, "TLSv1.3", "TLSv1.2");
  }

  private static SignetClient connect(String host, int port, File rootPem, PrivateKey key,
      List<X509Certificate> chain, String... protocols) throws SSLException {
    SslContextBuilder tls = GrpcSslContexts.forClient().trustManager(rootPem)
        .protocols(protocols);
    if (key != null) {
      tls.keyManager(key, chain.toArray(new X509Certificate[0]));
    }
    return new SignetClient(NettyChannelBuilder.forAddress(host, port)
        .sslContext(tls.build()).build());
  }

  /** Calls CreateCertificate with an optional bearer token. */
  public List<String> createCertificate(String csrPem, Duration ttl, String token,
      Duration deadline) {
    IstioCertificateServiceGrpc.IstioCertificateServiceBlockingStub stub =
        IstioCertificateServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    if (token != null) {
      stub = stub.withCallCredentials(bearer(token));
    }
    IstioCertificateResponse r = stub.createCertificate(IstioCertificateRequest.newBuilder()
        .setCsr(csrPem).setValidityDuration(ttl.toSeconds()).build());
    return r.getCertChainList();
  }

  /**
   * Calls CreateCertificate with a full request (e.g. with ImpersonatedIdentity metadata), an
   * optional bearer token and an optional {@code clusterid} header, as istio-agent and ztunnel
   * send them.
   */
  public List<String> createCertificate(IstioCertificateRequest request, String token,
      String clusterId, Duration deadline) {
    IstioCertificateServiceGrpc.IstioCertificateServiceBlockingStub stub =
        IstioCertificateServiceGrpc.newBlockingStub(channel)
            .withDeadlineAfter(deadline.toMillis(), TimeUnit.MILLISECONDS);
    if (token != null || clusterId != null) {
      stub = stub.withCallCredentials(headers(token, clusterId));
    }
    return stub.createCertificate(request).getCertChainList();
  }

  /** The channel, for health checks and other services. */
  public ManagedChannel channel() {
    return channel;
  }

  /** Call credentials sending {@code authorization: Bearer <token>}, as istio-agent does. */
  public static CallCredentials bearer(String token) {
    return headers(token, null);
  }

  private static CallCredentials headers(String token, String clusterId) {
    Metadata.Key<String> auth = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
    Metadata.Key<String> cluster = Metadata.Key.of("clusterid", Metadata.ASCII_STRING_MARSHALLER);
    return new CallCredentials() {
      @Override
      public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
        Metadata m = new Metadata();
        if (token != null) {
          m.put(auth, "Bearer " + token);
        }
        if (clusterId != null) {
          m.put(cluster, clusterId);
        }
        applier.apply(m);
      }
    };
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
