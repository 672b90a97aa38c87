package dev.signet.grpc;

import dev.signet.auth.AuthGate;
import dev.signet.auth.Authenticator;
import dev.signet.auth.Impersonation;
import dev.signet.ca.CaSource;
import dev.signet.concurrent.DaemonThreads;
import dev.signet.config.SignetConfig.Connections;
import dev.signet.config.SignetConfig.Server;
import dev.signet.issue.CertificateIssuer;
import dev.signet.issue.LeafSigner;
import dev.signet.logging.TransportLogFilter;
import dev.signet.metrics.AuditLog;
import dev.signet.metrics.IssuanceMetrics;
import io.grpc.ServerInterceptors;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.HealthStatusManager;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.netty.channel.epoll.Epoll;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.OpenSslCachingX509KeyManagerFactory;
import io.netty.handler.ssl.util.KeyManagerFactoryWrapper;
import io.netty.handler.ssl.SslProvider;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The gRPC listener: TLS 1.3 and 1.2 with ALPN h2, Signet's own renewing serving certificate,
 * optional client certificates, the certificate service behind the credentials interceptor,
 * grpc health and (when enabled) server reflection. Every connection is bounded
 * ({@code server.connections.*}): concurrent streams, stream resets per window (HTTP/2 rapid
 * reset), idle time, age, handshake time, and the time a call may take to send its request.
 */
public final class GrpcEndpoint implements AutoCloseable {
  private static final int SERVING_GENERATIONS_CACHED = 4;
  private static final Logger LOG = Logger.getLogger(GrpcEndpoint.class.getName());
  private static final int MAX_MESSAGE_BYTES = 256 * 1024;
  /** Request headers: a service-account token is 1-2 KiB; grpc-java's default is 8 KiB. */
  private static final int MAX_METADATA_BYTES = 16 * 1024;
  /** The shortest interval between a client's keepalive pings (istiod's server uses 15 s). */
  static final java.time.Duration KEEPALIVE_MIN_INTERVAL = java.time.Duration.ofSeconds(15);

  private final io.grpc.Server server;
  private final ServingIdentity identity;
  private final HealthStatusManager health;
  private final ExecutorService workers;
  private final ScheduledExecutorService renewer;
  private final RequestDeadline deadline;
  private final EventLoops loops;
  private final Server config;
  private volatile boolean closing;

  private GrpcEndpoint(io.grpc.Server server, ServingIdentity identity, HealthStatusManager health,
      ExecutorService workers, ScheduledExecutorService renewer, RequestDeadline deadline,
      EventLoops loops, Server config) {
    this.deadline = deadline;
    this.loops = loops;
    this.server = server;
    this.identity = identity;
    this.health = health;
    this.workers = workers;
    this.renewer = renewer;
    this.config = config;
  }

  /** Binds and starts the listener. */
  public static GrpcEndpoint start(Server config, CaSource ca, LeafSigner signer,
      Authenticator authenticator, AuthGate authGate, Impersonation impersonation,
      CertificateIssuer issuer, IssuanceMetrics metrics, AuditLog audit, String serviceName)
      throws IOException {
    ServingIdentity identity = new ServingIdentity(ca, signer, config.dnsNames(),
        config.servingCertTtl(), Clock.systemUTC());
    TransportLogFilter.install();
    GrpcTcpMetrics.disable();
    SslProvider provider = tlsProvider();
    logTransport();
    SslContext tls = GrpcSslContexts.configure(keyMaterial(identity, provider)
            .trustManager(new ClientCertificateCollector(ca))
            .clientAuth(ClientAuth.OPTIONAL)
            .protocols("TLSv1.3", "TLSv1.2"),
        provider).build();
    ExecutorService workers = Executors.newFixedThreadPool(config.effectiveWorkerThreads(),
        DaemonThreads.named("signet-worker"));
    CertificateService service = new CertificateService(authenticator, impersonation, issuer, workers,
        authGate, config.maxConcurrentRequests(), metrics, audit);
    HealthStatusManager health = new HealthStatusManager();
    Connections limits = config.connections();
    RequestDeadline deadline = new RequestDeadline(limits.requestTimeout(),
        limits.maxPendingRequests(), metrics::refusedCall);
    EventLoops loops = new EventLoops(limits.effectiveEventLoops());
    NettyServerBuilder builder = loops.applyTo(NettyServerBuilder
        .forAddress(new InetSocketAddress(config.address(), config.grpcPort())))
        .sslContext(tls)
        .directExecutor()
        .maxInboundMessageSize(MAX_MESSAGE_BYTES)
        .maxInboundMetadataSize(MAX_METADATA_BYTES)
        .maxConcurrentCallsPerConnection(limits.maxStreams())
        .maxRstFramesPerWindow(limits.maxResets(), (int) limits.resetWindow().toSeconds())
        .maxConnectionIdle(limits.maxIdle().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAge(limits.maxAge().toNanos(), TimeUnit.NANOSECONDS)
        .maxConnectionAgeGrace(limits.maxAgeGrace().toNanos(), TimeUnit.NANOSECONDS)
        .handshakeTimeout(limits.handshakeTimeout().toNanos(), TimeUnit.NANOSECONDS)
        // istiod's keepalive enforcement: ztunnel pings every 30 s while a call is open, and
        // clients may keep an idle connection alive; a client pinging more often gets GOAWAY.
        .permitKeepAliveTime(KEEPALIVE_MIN_INTERVAL.toNanos(), TimeUnit.NANOSECONDS)
        .permitKeepAliveWithoutCalls(true)
        .addTransportFilter(metrics.connections())
        .intercept(deadline)
        .addService(ServerInterceptors.intercept(service, new CredentialsInterceptor()))
        .addService(health.getHealthService());
    if (config.reflection()) {
      builder.addService(ProtoReflectionServiceV1.newInstance());
    }
    io.grpc.Server server;
    try {
      server = builder.build().start();
    } catch (IOException | RuntimeException e) {
      deadline.close();
      workers.shutdownNow();
      loops.close();
      throw e;
    }
    health.setStatus("", ServingStatus.SERVING);
    health.setStatus(serviceName, ServingStatus.SERVING);
    ScheduledExecutorService renewer = Executors.newSingleThreadScheduledExecutor(
        DaemonThreads.named("signet-serving-cert"));
    renewer.scheduleWithFixedDelay(() -> {
      try {
        identity.renewIfDue();
      } catch (RuntimeException e) {
        LOG.log(Level.WARNING, "cannot renew the serving certificate; will retry", e);
      }
    }, 30, 30, TimeUnit.SECONDS);
    return new GrpcEndpoint(server, identity, health, workers, renewer, deadline, loops, config);
  }

  /** grpc-netty takes the native epoll transport when it loads, NIO otherwise; say which. */
  private static void logTransport() {
    if (Epoll.isAvailable()) {
      LOG.info("transport: epoll (native)");
    } else {
      LOG.info(() -> "transport: NIO (native epoll unavailable: " + Epoll.unavailabilityCause()
          + ")");
    }
  }

  /**
   * BoringSSL (netty-tcnative) where it loads: handshakes and record encryption in native code,
   * which a restart storm of new connections leans on. The JDK's TLS otherwise.
   */
  private static SslProvider tlsProvider() {
    if (OpenSsl.isAvailable()) {
      LOG.info(() -> "TLS: " + OpenSsl.versionString() + " (native)");
      return SslProvider.OPENSSL;
    }
    LOG.info(() -> "TLS: the JDK's (native TLS unavailable: " + OpenSsl.unavailabilityCause()
        + ")");
    return SslProvider.JDK;
  }

  /**
   * With BoringSSL, the serving key and chain are converted to native key material once per
   * generation (aliases are unique per renewal, so a cache by alias is never stale) instead of
   * on every handshake; the few newest generations are kept.
   */
  private static SslContextBuilder keyMaterial(ServingIdentity identity, SslProvider provider) {
    if (provider == SslProvider.OPENSSL) {
      return SslContextBuilder.forServer(new OpenSslCachingX509KeyManagerFactory(
          new KeyManagerFactoryWrapper(identity), SERVING_GENERATIONS_CACHED));
    }
    return SslContextBuilder.forServer(identity);
  }

  /** The bound port. */
  public int port() {
    return server.getPort();
  }

  /** The serving certificate, renewed on CA change. */
  public ServingIdentity servingIdentity() {
    return identity;
  }

  /** True while the listener accepts calls. */
  public boolean ready() {
    return !closing && !server.isShutdown();
  }

  /** Blocks until the server terminates. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  /** Stops accepting calls, lets those in flight finish within the shutdown grace, then stops. */
  @Override
  public void close() {
    closing = true;
    health.enterTerminalState();
    server.shutdown();
    renewer.shutdownNow();
    long started = System.nanoTime();
    LOG.info(() -> "stopping: no new calls; calls in flight may finish within "
        + dev.signet.config.Durations.format(config.shutdownGrace()));
    try {
      long grace = config.shutdownGrace().toMillis();
      if (server.awaitTermination(grace, TimeUnit.MILLISECONDS)) {
        LOG.info(() -> "stopped: every call finished, "
            + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started) + " ms after the stop");
      } else {
        LOG.warning(() -> "stopped: the shutdown grace ("
            + dev.signet.config.Durations.format(config.shutdownGrace())
            + ") ran out; the calls still in flight were cancelled");
        server.shutdownNow();
      }
      workers.shutdown();
      if (!workers.awaitTermination(grace, TimeUnit.MILLISECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      workers.shutdownNow();
      Thread.currentThread().interrupt();
    } finally {
      deadline.close();
      loops.close();
    }
  }
}
