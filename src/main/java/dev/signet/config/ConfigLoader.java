package dev.signet.config;

import dev.signet.config.SignetConfig.Auth;
import dev.signet.config.SignetConfig.AuthCache;
import dev.signet.config.SignetConfig.AuthKind;
import dev.signet.config.SignetConfig.AuthPool;
import dev.signet.config.SignetConfig.PeerLimits;
import dev.signet.config.SignetConfig.ClientCert;
import dev.signet.config.SignetConfig.IstiodCert;
import dev.signet.config.SignetConfig.Kubernetes;
import dev.signet.config.SignetConfig.LeaderElection;
import dev.signet.config.SignetConfig.TokenReview;
import dev.signet.config.SignetConfig.TrustBundle;
import dev.signet.config.SignetConfig.Ca;
import dev.signet.config.SignetConfig.CaSourceKind;
import dev.signet.config.SignetConfig.Crypto;
import dev.signet.config.SignetConfig.Issuance;
import dev.signet.config.SignetConfig.Jwt;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.config.SignetConfig.Server;
import dev.signet.config.SignetConfig.Connections;
import dev.signet.config.SignetConfig.Admin;
import dev.signet.config.SignetConfig.ChainSource;
import dev.signet.config.SignetConfig.Kv;
import dev.signet.config.SignetConfig.Pki;
import dev.signet.config.SignetConfig.Transit;
import dev.signet.config.SignetConfig.Vault;
import dev.signet.config.SignetConfig.VaultAuth;
import dev.signet.config.SignetConfig.VaultAuthMethod;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Builds the {@link SignetConfig} from, in rising precedence: the embedded defaults, dev mode, a
 * YAML file, {@code SIGNET_*} environment variables and {@code --set key=value} flags. Every key
 * must be a known one, and every bad value fails with a message naming its key.
 */
public final class ConfigLoader {
  private static final String DEFAULTS = "/dev/signet/config/signet.yaml";
  private static final String DNS_LABEL = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";

  private final Map<String, Object> defaults;
  private final Map<String, Object> values;
  private final Map<String, String> origins = new LinkedHashMap<>();

  private ConfigLoader(Map<String, Object> defaults) {
    Map<String, Object> types = new LinkedHashMap<>();
    defaults.forEach((k, v) -> types.put(k, v == null ? "" : v));
    this.defaults = Map.copyOf(types);
    this.values = new LinkedHashMap<>(defaults);
    defaults.keySet().forEach(k -> origins.put(k, "default"));
  }

  /** A loader holding the embedded defaults. */
  public static ConfigLoader withDefaults() {
    try (InputStream in = ConfigLoader.class.getResourceAsStream(DEFAULTS)) {
      if (in == null) {
        throw new IllegalStateException("embedded defaults " + DEFAULTS + " are missing");
      }
      String text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return new ConfigLoader(YamlDocument.parse(text, "embedded defaults").values());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The keys Signet knows, in the order of the defaults file. */
  public List<String> keys() {
    return List.copyOf(origins.keySet());
  }

  /**
   * Where a key's value came from: {@code default}, {@code --dev}, {@code FILE:LINE},
   * {@code $SIGNET_...} or {@code --set}.
   */
  public String origin(String key) {
    return origins.getOrDefault(key, "unknown");
  }

  /** The value a key holds now (as written: text, number, list...), for printing. */
  Object value(String key) {
    return values.get(key);
  }

  /** The embedded default of a key ({@code ""} for none), whose type a printed value takes. */
  Object defaultValue(String key) {
    return defaults.get(key);
  }

  /** Turns on dev mode unless a later layer turns it off again. */
  public ConfigLoader dev() {
    put("dev", "true", "--dev");
    put("ca.source", "dev", "--dev");
    return this;
  }

  /**
   * Overlays a YAML file.
   *
   * @throws ConfigException when the file cannot be read (saying why), is not valid YAML, writes
   *     a key twice or names an unknown key
   */
  public ConfigLoader file(Path file) {
    YamlDocument doc = YamlDocument.parse(ConfigFiles.read(file), file.toString());
    doc.values().forEach((k, v) -> put(k, v, file + ":" + doc.line(k)));
    return this;
  }

  /**
   * Overlays {@code SIGNET_<KEY>} variables, e.g. {@code SIGNET_SERVER_GRPC_PORT}, and refuses
   * a {@code SIGNET_*} variable that names no key but is close to one (a misspelling that would
   * otherwise be ignored). Variables close to no key are left alone: other tools own them (the
   * launcher's {@code SIGNET_JAR}), and so are the service links Kubernetes injects for the
   * namespace's Services ({@code SIGNET_GRPC_PORT=tcp://10.0.0.3:8443} for a Service named
   * {@code signet-grpc}).
   */
  public ConfigLoader environment(Map<String, String> env) {
    List<String> known = keys();
    for (String key : known) {
      String value = env.get(envName(key));
      if (value != null) {
        put(key, value, "$" + envName(key));
      }
    }
    Set<String> names = new TreeSet<>(env.keySet());
    known.forEach(k -> names.remove(envName(k)));
    for (String name : names) {
      if (name.startsWith("SIGNET_") && !KeyNames.isServiceLink(name, env.get(name))) {
        KeyNames.nearestForVariable(name, known).ifPresent(k -> {
          throw new ConfigException("environment variable " + name + " is not a configuration "
              + "key; did you mean " + envName(k) + " (" + k + ")? Rename or unset it");
        });
      }
    }
    return this;
  }

  /** Overlays one {@code key=value} assignment, as given to {@code --set}. */
  public ConfigLoader set(String assignment) {
    int eq = assignment.indexOf('=');
    if (eq <= 0) {
      throw new ConfigException("--set takes key=value, got '" + assignment + "'");
    }
    put(assignment.substring(0, eq).trim(), assignment.substring(eq + 1), "--set");
    return this;
  }

  /** The environment variable that overrides a key. */
  public static String envName(String key) {
    return KeyNames.envName(key);
  }

  private void put(String key, Object value, String origin) {
    if (!origins.containsKey(key)) {
      throw new ConfigException("unknown configuration key '" + key + "' (from " + origin + ")"
          + KeyNames.nearestKey(key, keys()).map(k -> "; did you mean '" + k + "'?")
              .orElse("; the keys are listed in docs/configuration.md"));
    }
    values.put(key, value);
    origins.put(key, origin);
  }

  /** Validates every value and builds the configuration. */
  public SignetConfig load() {
    boolean dev = bool("dev");
    Path devDir = path("ca.dev.directory");
    List<String> dnsNames = new ArrayList<>(list("server.dns-names"));
    if (dev && !dnsNames.contains("localhost")) {
      dnsNames.add("localhost");
    }
    Server server = new Server(
        string("server.address"),
        port("server.grpc-port"),
        port("server.admin-port"),
        dnsNames,
        positive("server.serving-cert-ttl"),
        intIn("server.max-concurrent-requests", 1, 1_000_000),
        intIn("server.worker-threads", 0, 1024),
        duration("server.shutdown-grace"),
        bool("server.reflection"),
        connections(),
        new Admin(positive("server.admin.read-timeout"),
            intIn("server.admin.max-connections", 1, 100_000),
            intIn("server.admin.max-connections-per-peer", 1, 100_000)),
        new SignetConfig.WarmUp(intIn("server.warm-up.requests", 0, 1_000_000),
            positive("server.warm-up.max-time")));
    Issuance issuance = issuance();
    Optional<Path> jwksFile = optional("auth.jwt.jwks-file", Path::of);
    boolean insecureJwks = bool("auth.jwt.allow-insecure-http");
    Optional<URI> jwksUrl = optional("auth.jwt.jwks-url", u -> uri("auth.jwt.jwks-url", u));
    jwksUrl.ifPresent(u -> requireHttps("auth.jwt.jwks-url", u, insecureJwks,
        "auth.jwt.allow-insecure-http"));
    String issuer = string("auth.jwt.issuer");
    if (dev && jwksFile.isEmpty() && jwksUrl.isEmpty()) {
      jwksFile = Optional.of(devDir.resolve("jwks.json"));
      issuer = DEV_ISSUER;
    }
    if (jwksFile.isPresent() && jwksUrl.isPresent()) {
      throw new ConfigException("set only one of auth.jwt.jwks-file and auth.jwt.jwks-url");
    }
    List<String> audiences = list("auth.audiences");
    if (audiences.isEmpty()) {
      throw new ConfigException("auth.audiences must name at least one audience (e.g. istio-ca)");
    }
    AuthKind kind = choice("auth.kind", AuthKind.class);
    Jwt jwt = new Jwt(issuer, jwksFile, jwksUrl);
    String clusterId = string("auth.cluster-id");
    Auth auth = new Auth(audiences, kind, clusterId, jwt,
        new ClientCert(bool("auth.client-cert.enabled"), positive("auth.client-cert.max-age")),
        new TokenReview(positive("auth.tokenreview.timeout"), string("auth.tokenreview.issuer")),
        ClusterEntries.parse(values.get("auth.clusters"), clusterId, insecureJwks),
        nodeAccounts(list("auth.trusted-node-accounts")),
        new AuthCache(duration("auth.cache.max-ttl"),
            intIn("auth.cache.max-entries", 1, 10_000_000),
            notNegative("auth.cache.negative-ttl")),
        new AuthPool(intIn("auth.pool.threads", 1, 1024), intIn("auth.pool.queue", 0, 1_000_000)),
        new PeerLimits(intIn("auth.peer.max-pending", 1, 1_000_000),
            intIn("auth.peer.failure-burst", 1, 1_000_000), positive("auth.peer.cool-down")));
    Ca ca = new Ca(
        choice("ca.source", CaSourceKind.class),
        path("ca.files.directory"),
        positive("ca.files.reload-interval"),
        devDir,
        vault());
    if (ca.source() == CaSourceKind.DEV && !dev) {
      throw new ConfigException("ca.source=dev needs dev mode (--dev): it is not for real meshes");
    }
    return new SignetConfig(dev, server, issuance, auth, ca,
        new Crypto(choice("crypto.provider", ProviderChoice.class)), kubernetes(),
        new SignetConfig.Log(choice("log.level", SignetConfig.LogLevel.class),
            choice("log.format", SignetConfig.LogFormat.class)));
  }

  private Kubernetes kubernetes() {
    Duration lease = positive("kubernetes.leader-election.lease-duration");
    Duration renew = positive("kubernetes.leader-election.renew-deadline");
    Duration retry = positive("kubernetes.leader-election.retry-period");
    if (renew.compareTo(lease) >= 0 || retry.compareTo(renew) >= 0) {
      throw new ConfigException("kubernetes.leader-election needs retry-period < renew-deadline "
          + "< lease-duration");
    }
    List<String> revisions = new ArrayList<>();
    String revision = string("kubernetes.istiod-cert.revision");
    if (!revision.isEmpty()) {
      revisions.add(revision);
    }
    list("kubernetes.istiod-cert.revisions").stream().filter(r -> !revisions.contains(r))
        .forEach(revisions::add);
    for (String r : revisions) {
      if (!r.matches(DNS_LABEL)) {
        throw bad("kubernetes.istiod-cert.revisions", "DNS labels", r);
      }
    }
    List<String> istiodNames = list("kubernetes.istiod-cert.dns-names");
    for (String n : istiodNames) {
      if (!n.matches(DNS_LABEL + "(\\." + DNS_LABEL + ")*")) {
        throw bad("kubernetes.istiod-cert.dns-names", "DNS names", n);
      }
    }
    String bundleName = string("kubernetes.trust-bundle.name");
    if (!bundleName.matches(DNS_LABEL + "(\\." + DNS_LABEL + ")*") || bundleName.length() > 253) {
      throw bad("kubernetes.trust-bundle.name", "a ConfigMap name", bundleName);
    }
    return new Kubernetes(optional("kubernetes.kubeconfig", Path::of),
        string("kubernetes.namespace"),
        new LeaderElection(string("kubernetes.leader-election.lease-name"), lease, renew, retry),
        new TrustBundle(bool("kubernetes.trust-bundle.enabled"),
            string("kubernetes.trust-bundle.namespace-selector"), bundleName),
        new IstiodCert(bool("kubernetes.istiod-cert.enabled"),
            string("kubernetes.istiod-cert.namespace"), revisions, istiodNames,
            positive("kubernetes.istiod-cert.ttl")));
  }

  private static List<String> nodeAccounts(List<String> accounts) {
    for (String a : accounts) {
      if (!a.matches("[a-z0-9][-a-z0-9]*/[a-z0-9][-a-z0-9.]*")) {
        throw new ConfigException("auth.trusted-node-accounts entries must be "
            + "namespace/service-account (e.g. istio-system/ztunnel), got '" + a + "'");
      }
    }
    return accounts;
  }

  private Vault vault() {
    String address = string("ca.vault.address");
    boolean used = string("ca.source").startsWith("vault");
    if (used && address.isEmpty()) {
      throw new ConfigException("ca.vault.address must be set for ca.source="
          + string("ca.source") + " (e.g. https://vault.vault.svc:8200)");
    }
    URI uri = address.isEmpty() ? URI.create("http://127.0.0.1:8200") : uri("ca.vault.address",
        address);
    VaultAuth auth = new VaultAuth(
        choice("ca.vault.auth.method", VaultAuthMethod.class),
        optional("ca.vault.auth.token-file", Path::of),
        string("ca.vault.auth.mount"),
        string("ca.vault.auth.role"),
        path("ca.vault.auth.jwt-file"),
        string("ca.vault.auth.role-id"),
        optional("ca.vault.auth.secret-id-file", Path::of));
    if (used) {
      switch (auth.method()) {
        case TOKEN -> {
          if (auth.tokenFile().isEmpty()) {
            throw new ConfigException("ca.vault.auth.token-file must be set for "
                + "ca.vault.auth.method=token");
          }
        }
        case KUBERNETES -> {
          if (auth.role().isEmpty()) {
            throw new ConfigException("ca.vault.auth.role must be set for "
                + "ca.vault.auth.method=kubernetes");
          }
        }
        case APPROLE -> {
          if (auth.roleId().isEmpty() || auth.secretIdFile().isEmpty()) {
            throw new ConfigException("ca.vault.auth.role-id and ca.vault.auth.secret-id-file "
                + "must be set for ca.vault.auth.method=approle");
          }
        }
      }
    }
    if (!address.isEmpty()) {
      requireHttps("ca.vault.address", uri, bool("ca.vault.allow-insecure-http"),
          "ca.vault.allow-insecure-http");
    }
    double renew = fraction("ca.vault.pki.renew-remaining");
    Duration window = duration("ca.vault.transit.batch-window");
    if (window.isNegative() || window.compareTo(Duration.ofSeconds(1)) > 0) {
      throw bad("ca.vault.transit.batch-window", "a duration from 0s to 1s",
          string("ca.vault.transit.batch-window"));
    }
    return new Vault(uri, optional("ca.vault.ca-file", Path::of), positive("ca.vault.timeout"),
        intIn("ca.vault.max-retries", 0, 10),
        auth,
        new Transit(nonEmpty("ca.vault.transit.mount"), nonEmpty("ca.vault.transit.key"),
            window,
            intIn("ca.vault.transit.max-batch", 1, 1000),
            intIn("ca.vault.transit.max-queued", 1, 1_000_000),
            choice("ca.vault.transit.chain-source", ChainSource.class),
            positive("ca.vault.transit.poll-interval")),
        new Kv(nonEmpty("ca.vault.kv.mount"), nonEmpty("ca.vault.kv.path"),
            positive("ca.vault.kv.poll-interval")),
        new Pki(nonEmpty("ca.vault.pki.mount"), nonEmpty("ca.vault.pki.common-name"),
            positive("ca.vault.pki.ttl"), renew,
            choice("ca.vault.pki.key-source", SignetConfig.PkiKey.class),
            nonEmpty("ca.vault.pki.transit-key")));
  }

  private Connections connections() {
    Duration window = positive("server.connections.reset-window");
    if (window.toSeconds() < 1 || window.toNanos() % 1_000_000_000L != 0) {
      throw bad("server.connections.reset-window", "whole seconds, at least 1s", window);
    }
    return new Connections(
        intIn("server.connections.max-streams", 1, 10_000),
        intIn("server.connections.max-resets", 1, 1_000_000),
        window,
        positive("server.connections.max-idle"),
        positive("server.connections.max-age"),
        positive("server.connections.max-age-grace"),
        positive("server.connections.handshake-timeout"),
        positive("server.connections.request-timeout"),
        intIn("server.connections.max-pending-requests", 1, 10_000_000),
        intIn("server.connections.event-loops", 0, 1024));
  }

  private String nonEmpty(String key) {
    String s = string(key);
    if (s.isEmpty()) {
      throw bad(key, "a non-empty value", s);
    }
    return s;
  }

  private double fraction(String key) {
    String s = string(key);
    try {
      double d = Double.parseDouble(s);
      if (!(d > 0 && d < 1)) {
        throw bad(key, "a fraction between 0 and 1", s);
      }
      return d;
    } catch (NumberFormatException e) {
      throw bad(key, "a fraction between 0 and 1", s);
    }
  }

  /** The issuer name of dev-mode tokens. */
  public static final String DEV_ISSUER = "signet-dev";

  private Issuance issuance() {
    String td = string("issuance.trust-domain");
    if (!td.matches("[a-z0-9._-]{1,255}")) {
      throw new ConfigException("issuance.trust-domain '" + td
          + "' is not a trust domain: lower-case letters, digits, '.', '-' and '_' only");
    }
    Duration min = positive("issuance.min-ttl");
    Duration max = positive("issuance.max-ttl");
    Duration def = positive("issuance.default-ttl");
    if (min.compareTo(max) > 0) {
      throw new ConfigException("issuance.min-ttl (" + Durations.format(min)
          + ") is longer than issuance.max-ttl (" + Durations.format(max) + ")");
    }
    if (def.compareTo(min) < 0 || def.compareTo(max) > 0) {
      throw new ConfigException("issuance.default-ttl must lie within [issuance.min-ttl, issuance.max-ttl]");
    }
    return new Issuance(td, def, min, max);
  }

  String string(String key) {
    Object v = values.get(key);
    if (v instanceof List<?>) {
      throw bad(key, "a single value", v);
    }
    return v == null ? "" : v.toString().trim();
  }

  List<String> list(String key) {
    Object v = values.get(key);
    List<String> out = new ArrayList<>();
    if (v instanceof List<?> l) {
      l.forEach(e -> out.add(String.valueOf(e).trim()));
    } else if (v != null && !v.toString().isBlank()) {
      for (String part : v.toString().split(",")) {
        out.add(part.trim());
      }
    }
    out.removeIf(String::isEmpty);
    return out;
  }

  private boolean bool(String key) {
    String s = string(key).toLowerCase(Locale.ROOT);
    return switch (s) {
      case "true" -> true;
      case "false" -> false;
      default -> throw bad(key, "true or false", s);
    };
  }

  private int intIn(String key, int min, int max) {
    String s = string(key);
    try {
      int n = Integer.parseInt(s);
      if (n < min || n > max) {
        throw bad(key, "a whole number from " + min + " to " + max, s);
      }
      return n;
    } catch (NumberFormatException e) {
      throw bad(key, "a whole number from " + min + " to " + max, s);
    }
  }

  private int port(String key) {
    return intIn(key, 0, 65535);
  }

  private Duration duration(String key) {
    try {
      return Durations.parse(string(key));
    } catch (IllegalArgumentException e) {
      throw new ConfigException(key + ": " + e.getMessage() + " (from " + origins.get(key) + ")");
    }
  }

  private Duration notNegative(String key) {
    Duration d = duration(key);
    if (d.isNegative()) {
      throw bad(key, "a duration of 0s or more", string(key));
    }
    return d;
  }

  private Duration positive(String key) {
    Duration d = duration(key);
    if (d.isZero() || d.isNegative()) {
      throw bad(key, "a positive duration", string(key));
    }
    return d;
  }

  private Path path(String key) {
    String s = string(key);
    if (s.isEmpty()) {
      throw bad(key, "a path", s);
    }
    return Path.of(s);
  }

  private <T> Optional<T> optional(String key, Function<String, T> parse) {
    String s = string(key);
    return s.isEmpty() ? Optional.empty() : Optional.of(parse.apply(s));
  }

  private <E extends Enum<E>> E choice(String key, Class<E> type) {
    String s = string(key);
    for (E e : type.getEnumConstants()) {
      if (e.name().replace('_', '-').equalsIgnoreCase(s.replace('_', '-'))) {
        return e;
      }
    }
    List<String> allowed = new ArrayList<>();
    for (E e : type.getEnumConstants()) {
      allowed.add(e.name().toLowerCase(Locale.ROOT).replace('_', '-'));
    }
    throw bad(key, "one of " + String.join(", ", allowed), s);
  }

  static URI uri(String key, String s) {
    try {
      URI u = new URI(s);
      if ((!"https".equals(u.getScheme()) && !"http".equals(u.getScheme()))
          || u.getHost() == null) {
        throw new ConfigException(key + " must be an http(s) URL, got '" + s + "'");
      }
      return u;
    } catch (URISyntaxException e) {
      throw new ConfigException(key + " is not a URL: '" + s + "'", e);
    }
  }

  /**
   * Refuses a plain {@code http://} URL unless {@code optIn} is set: over http anyone on the
   * path can read or replace what Signet trusts (token keys, Vault's answers and its token).
   */
  static void requireHttps(String key, URI u, boolean allowed, String optIn) {
    if ("http".equals(u.getScheme()) && !allowed) {
      throw new ConfigException(key + " uses plain http://, which anyone on the network path "
          + "can read and alter; use https://, or set " + optIn + "=true (development and "
          + "tests only)");
    }
  }

  private ConfigException bad(String key, String expected, Object got) {
    return new ConfigException(key + " must be " + expected + ", got '" + got + "' (from "
        + origins.get(key) + ")");
  }
}
