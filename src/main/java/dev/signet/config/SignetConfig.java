package dev.signet.config;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Signet's one typed configuration, validated when it is built by {@link ConfigLoader}. Every key
 * is documented in {@code docs/configuration.md}; the defaults are {@code server/config/signet.yaml}.
 */
public record SignetConfig(
    boolean dev, Server server, Issuance issuance, Auth auth, Ca ca, Crypto crypto) {

  /** The listeners and the request executor. */
  public record Server(
      String address,
      int grpcPort,
      int adminPort,
      List<String> dnsNames,
      Duration servingCertTtl,
      int maxConcurrentRequests,
      int workerThreads,
      Duration shutdownGrace) {
    public Server {
      dnsNames = List.copyOf(dnsNames);
    }

    /** The number of request threads, resolving 0 to the number of cores. */
    public int effectiveWorkerThreads() {
      return workerThreads > 0 ? workerThreads : Runtime.getRuntime().availableProcessors();
    }
  }

  /** The shape of issued workload certificates. */
  public record Issuance(String trustDomain, Duration defaultTtl, Duration minTtl, Duration maxTtl) {}

  /** How callers are authenticated. */
  public record Auth(List<String> audiences, Jwt jwt, boolean clientCert, AuthCache cache) {
    public Auth {
      audiences = List.copyOf(audiences);
    }
  }

  /** How long and how many verified tokens are remembered; a zero TTL turns the cache off. */
  public record AuthCache(Duration maxTtl, int maxEntries) {}

  /** Offline verification of service-account JWTs against a key set. */
  public record Jwt(String issuer, Optional<Path> jwksFile, Optional<URI> jwksUrl) {}

  /** Where the signing key and certificate come from. */
  public record Ca(CaSourceKind source, Path filesDirectory, Duration filesReloadInterval,
      Path devDirectory) {}

  /** The kinds of CA source. */
  public enum CaSourceKind {
    FILES,
    DEV
  }

  /** The crypto provider choice. */
  public record Crypto(ProviderChoice provider) {}

  /** Which JCA provider signs and verifies. */
  public enum ProviderChoice {
    AUTO,
    NATIVE,
    BOUNCYCASTLE,
    JDK
  }
}
