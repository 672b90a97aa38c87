package dev.signet.server;

import dev.signet.admin.AdminServer;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.auth.Authenticator;
import dev.signet.auth.CachingAuthenticator;
import dev.signet.auth.ClientCertAuthenticator;
import dev.signet.auth.CompositeAuthenticator;
import dev.signet.ca.CaFiles.InvalidCaException;
import dev.signet.ca.CaSource;
import dev.signet.ca.FilesCaSource;
import dev.signet.ca.SigningAuthority;
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
import dev.signet.vault.VaultCaSources;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
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
  private final AuthWiring wiring;
  private final Optional<KubeDuties> duties;

  private SignetServer(CaSource ca, GrpcEndpoint grpc, AdminServer admin,
      PrometheusMeterRegistry registry, ProcessMetrics processMetrics, AuthWiring wiring,
      Optional<KubeDuties> duties) {
    this.duties = duties;
    this.ca = ca;
    this.grpc = grpc;
    this.admin = admin;
    this.registry = registry;
    this.processMetrics = processMetrics;
    this.wiring = wiring;
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
    // Before anything real exists: nothing of the real CA, Vault or the API server is touched,
    // and the listeners (and so /readyz) open only once it is done.
    WarmUp.run(config.server().warmUp().requests(), config.server().warmUp().maxTime(),
        config.crypto().provider());
    LeafSigner signer = new LeafSigner();
    AtomicReference<GrpcEndpoint> endpoint = new AtomicReference<>();
    AtomicReference<KubeDuties> duties = new AtomicReference<>();
    AtomicReference<ClientCertAuthenticator> renewals = new AtomicReference<>();
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // A new CA (rotation, Vault renewal) renews the serving certificate and republishes roots.
    Consumer<SigningAuthority> caChanged = authority -> {
      GrpcEndpoint e = endpoint.get();
      if (e != null) {
        e.servingIdentity().renew();
      }
      KubeDuties d = duties.get();
      if (d != null) {
        d.rootsChanged();
      }
      ClientCertAuthenticator r = renewals.get();
      if (r != null) {
        r.caChanged(authority);
      }
    };
    CaSource ca;
    if (config.ca().source().name().startsWith("VAULT_")) {
      ca = VaultCaSources.open(config.ca(), crypto, registry, caChanged);
    } else {
      try {
        ca = FilesCaSource.open(caDir, crypto, config.ca().filesReloadInterval(), caChanged);
      } catch (InvalidCaException e) {
        throw new IOException("the CA in " + caDir + " is not usable: " + e.getMessage(), e);
      }
    }
    ProcessMetrics processMetrics = new ProcessMetrics();
    processMetrics.bindTo(registry);
    AuthWiring wiring = null;
    try {
      String td = config.issuance().trustDomain();
      wiring = AuthWiring.create(config, registry, crypto);
      SignetConfig.ClientCert clientCert = config.auth().clientCert();
      if (clientCert.enabled()) {
        renewals.set(new ClientCertAuthenticator(ca, td, clientCert.maxAge(),
            config.issuance().maxTtl(), Clock.systemUTC()));
      }
      Authenticator auth = new CompositeAuthenticator(wiring.tokens(),
          Optional.<Authenticator>ofNullable(renewals.get()));
      CertificateIssuer issuer = new CertificateIssuer(new CsrParser(crypto), ca,
          TtlPolicy.of(config.issuance()), signer, Clock.systemUTC(), clientCert.maxAge());
      IssuanceMetrics metrics = new IssuanceMetrics(registry, ca::current);
      GrpcEndpoint grpc;
      try {
        grpc = GrpcEndpoint.start(serverFor(config), ca, signer, auth, wiring.gate(),
            wiring.impersonation(), issuer, metrics,
            new AuditLog(), IstioCertificateServiceGrpc.SERVICE_NAME);
      } catch (IOException e) {
        throw PortInUseException.classify(e, "server.grpc-port", config.server().address(),
            config.server().grpcPort());
      }
      endpoint.set(grpc);
      // A renewal that keeps failing shows as this timestamp coming close (alert on it).
      Gauge.builder("signet.serving_certificate.expiry.timestamp",
              () -> grpc.servingIdentity().notAfter().getEpochSecond())
          .description("NotAfter of Signet's own TLS serving certificate, Unix seconds")
          .baseUnit("seconds").register(registry);
      if (config.kubernetes().writes()) {
        KubeDuties.start(config, wiring.localClient(), ca, signer, registry)
            .ifPresent(duties::set);
      }
      AdminServer admin;
      try {
        admin = AdminServer.start(config.server().address(), config.server().adminPort(),
            config.server().admin(), registry, grpc::ready);
      } catch (IOException e) {
        throw PortInUseException.classify(e, "server.admin-port", config.server().address(),
            config.server().adminPort());
      }
      LOG.info("Signet " + dev.signet.cli.BuildInfo.current().version() + " serving gRPC on port "
          + grpc.port() + " and admin on port " + admin.port() + "; CA source "
          + ca.describe() + ", trust domain " + td + "; ready "
          + java.lang.management.ManagementFactory.getRuntimeMXBean().getUptime()
          + " ms after the JVM started");
      return new SignetServer(ca, grpc, admin, registry, processMetrics, wiring,
          Optional.ofNullable(duties.get()));
    } catch (IOException | RuntimeException e) {
      processMetrics.close();
      if (duties.get() != null) {
        duties.get().close();
      }
      if (endpoint.get() != null) {
        endpoint.get().close();
      }
      if (wiring != null) {
        wiring.close();
      }
      ca.close();
      throw e;
    }
  }

  /**
   * With Transit, a request thread waits on Vault while its digest sits in a batch; one thread
   * per core would cap a batch at the core count. So 0 worker threads means enough waiting
   * threads to fill the batches (four calls of max-batch in flight).
   */
  private static SignetConfig.Server serverFor(SignetConfig config) {
    SignetConfig.Server s = config.server();
    if (config.ca().source() != SignetConfig.CaSourceKind.VAULT_TRANSIT || s.workerThreads() > 0) {
      return s;
    }
    int threads = Math.min(1024, Math.max(s.effectiveWorkerThreads(),
        4 * config.ca().vault().transit().maxBatch()));
    return s.withWorkerThreads(threads);
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

  /** True while this replica holds the Kubernetes Lease and runs the writing duties. */
  public boolean leading() {
    return duties.map(KubeDuties::leading).orElse(false);
  }

  /** This replica's holder identity in the Lease, when Kubernetes duties are enabled. */
  public Optional<String> leaseIdentity() {
    return duties.map(KubeDuties::identity);
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
    duties.ifPresent(KubeDuties::close);
    grpc.close();
    admin.close();
    wiring.close();
    ca.close();
    processMetrics.close();
    registry.close();
  }
}
