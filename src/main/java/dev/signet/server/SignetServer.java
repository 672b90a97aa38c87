package dev.signet.server;

import dev.signet.admin.AdminServer;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.auth.Authenticator;
import dev.signet.auth.CachingAuthenticator;
import dev.signet.auth.ClientCertAuthenticator;
import dev.signet.auth.CompositeAuthenticator;
import dev.signet.auth.JwtAuthenticator;
import dev.signet.ca.CaFiles.InvalidCaException;
import dev.signet.ca.CaSource;
import dev.signet.ca.FilesCaSource;
import dev.signet.config.SignetConfig;
import dev.signet.crypto.CryptoProvider;
import dev.signet.csr.CsrParser;
import dev.signet.dev.DevCa;
import dev.signet.dev.DevTokens;
import dev.signet.grpc.GrpcEndpoint;
import dev.signet.issue.CertificateIssuer;
import dev.signet.issue.LeafSigner;
import dev.signet.issue.TtlPolicy;
import dev.signet.metrics.AuditLog;
import dev.signet.metrics.IssuanceMetrics;
import dev.signet.metrics.ProcessMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.logging.Logger;

/**
 * A running Signet: CA source, authenticators, issuer, the gRPC endpoint and the admin port,
 * wired from one {@link SignetConfig}. {@link #close()} drains requests in flight.
 */
public final class SignetServer implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(SignetServer.class.getName());

  private final CaSource ca;
  private final GrpcEndpoint grpc;
  private final AdminServer admin;
  private final PrometheusMeterRegistry registry;
  private final ProcessMetrics processMetrics;

  private SignetServer(CaSource ca, GrpcEndpoint grpc, AdminServer admin,
      PrometheusMeterRegistry registry, ProcessMetrics processMetrics) {
    this.ca = ca;
    this.grpc = grpc;
    this.admin = admin;
    this.registry = registry;
    this.processMetrics = processMetrics;
  }

  /** Starts Signet; fails if the CA, the token keys or a port cannot be used. */
  public static SignetServer start(SignetConfig config) throws IOException {
    CryptoProvider crypto = CryptoProvider.select(config.crypto().provider());
    Path caDir = config.ca().filesDirectory();
    if (config.dev()) {
      LOG.warning("DEV MODE: local CA and token issuer in " + config.ca().devDirectory()
          .toAbsolutePath() + ". Tokens come from 'signet token'. Never use dev mode for a real "
          + "mesh.");
      DevCa.ensure(config.ca().devDirectory());
      DevTokens.open(config.ca().devDirectory());
      caDir = config.ca().devDirectory();
    }
    LeafSigner signer = new LeafSigner();
    AtomicReference<GrpcEndpoint> endpoint = new AtomicReference<>();
    FilesCaSource ca;
    try {
      ca = FilesCaSource.open(caDir, crypto, config.ca().filesReloadInterval(), authority -> {
        GrpcEndpoint e = endpoint.get();
        if (e != null) {
          e.servingIdentity().renew();
        }
      });
    } catch (InvalidCaException e) {
      throw new IOException("the CA in " + caDir + " is not usable: " + e.getMessage(), e);
    }
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    ProcessMetrics processMetrics = new ProcessMetrics();
    processMetrics.bindTo(registry);
    try {
      String td = config.issuance().trustDomain();
      Authenticator auth = new CompositeAuthenticator(
          new CachingAuthenticator(JwtAuthenticator.create(config.auth(), td, crypto),
              config.auth().cache().maxTtl(), config.auth().cache().maxEntries(),
              Clock.systemUTC(), registry, "jwt"),
          config.auth().clientCert() ? Optional.of(new ClientCertAuthenticator(ca, td))
              : Optional.empty());
      CertificateIssuer issuer = new CertificateIssuer(new CsrParser(crypto), ca,
          TtlPolicy.of(config.issuance()), signer, Clock.systemUTC());
      IssuanceMetrics metrics = new IssuanceMetrics(registry,
          () -> ca.current().notAfter().getEpochSecond());
      GrpcEndpoint grpc = GrpcEndpoint.start(config.server(), ca, signer, auth, issuer, metrics,
          new AuditLog(), IstioCertificateServiceGrpc.SERVICE_NAME);
      endpoint.set(grpc);
      AdminServer admin = AdminServer.start(config.server().address(),
          config.server().adminPort(), registry, grpc::ready);
      LOG.info("Signet " + dev.signet.cli.Main.version() + " serving gRPC on port "
          + grpc.port() + " and admin on port " + admin.port() + "; CA source "
          + ca.describe() + ", trust domain " + td + "; ready "
          + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
          + " ms after the JVM started");
      return new SignetServer(ca, grpc, admin, registry, processMetrics);
    } catch (IOException | RuntimeException e) {
      processMetrics.close();
      ca.close();
      throw e;
    }
  }

  /** The bound gRPC port. */
  public int grpcPort() {
    return grpc.port();
  }

  /** The bound admin port. */
  public int adminPort() {
    return admin.port();
  }

  /** The CA source, for tests and the CLI. */
  public CaSource ca() {
    return ca;
  }

  /** The metrics registry. */
  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /** Blocks until the gRPC server terminates. */
  public void awaitTermination() throws InterruptedException {
    grpc.awaitTermination();
  }

  @Override
  public void close() {
    grpc.close();
    admin.close();
    ca.close();
    processMetrics.close();
    registry.close();
  }
}
