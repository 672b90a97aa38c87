package dev.signet.config;

import dev.signet.config.SignetConfig.AuthKind;
import dev.signet.config.SignetConfig.Cluster;
import dev.signet.config.SignetConfig.Jwt;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Parses {@code auth.clusters}: in YAML a list of mappings ({@code id}, {@code kind},
 * {@code kubeconfig}, {@code issuer}, {@code jwks-file}, {@code jwks-url}; {@code issuer} is
 * required to match for {@code jwt} and checked before any review for {@code tokenreview} when
 * given); from an environment
 * variable or {@code --set} the same entries as {@code id=east;kind=tokenreview;kubeconfig=/k},
 * separated by commas.
 */
final class ClusterEntries {
  private static final Set<String> FIELDS =
      Set.of("id", "kind", "kubeconfig", "issuer", "jwks-file", "jwks-url");
  private static final String DEFAULT_ISSUER = "https://kubernetes.default.svc";

  private ClusterEntries() {}

  /** @param insecureJwks whether http:// JWKS URLs are allowed (auth.jwt.allow-insecure-http) */
  static List<Cluster> parse(Object value, String localId, boolean insecureJwks) {
    List<Map<String, String>> entries = new ArrayList<>();
    if (value instanceof List<?> list) {
      for (Object o : list) {
        entries.add(o instanceof Map<?, ?> m ? strings(m) : fields(String.valueOf(o)));
      }
    } else if (value != null && !value.toString().isBlank()) {
      for (String part : value.toString().split(",")) {
        if (!part.isBlank()) {
          entries.add(fields(part));
        }
      }
    }
    List<Cluster> out = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    ids.add(localId);
    for (Map<String, String> e : entries) {
      Cluster c = cluster(e, insecureJwks);
      if (!ids.add(c.id())) {
        throw new ConfigException("auth.clusters: cluster id '" + c.id() + "' is used twice "
            + "(auth.cluster-id '" + localId + "' is the local cluster)");
      }
      out.add(c);
    }
    return out;
  }

  private static Cluster cluster(Map<String, String> e, boolean insecureJwks) {
    for (String k : e.keySet()) {
      if (!FIELDS.contains(k)) {
        throw new ConfigException("auth.clusters: unknown field '" + k + "'; the fields are "
            + FIELDS);
      }
    }
    String id = e.getOrDefault("id", "").trim();
    if (id.isEmpty()) {
      throw new ConfigException("auth.clusters: every entry needs an id");
    }
    String kindName = e.getOrDefault("kind", "tokenreview").trim();
    AuthKind kind;
    try {
      kind = AuthKind.valueOf(kindName.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException ex) {
      throw new ConfigException("auth.clusters[" + id + "].kind must be tokenreview or jwt, got '"
          + kindName + "'");
    }
    Optional<Path> kubeconfig = nonEmpty(e.get("kubeconfig")).map(Path::of);
    Optional<Path> jwksFile = nonEmpty(e.get("jwks-file")).map(Path::of);
    Optional<URI> jwksUrl = nonEmpty(e.get("jwks-url"))
        .map(u -> ConfigLoader.uri("auth.clusters[" + id + "].jwks-url", u));
    jwksUrl.ifPresent(u -> ConfigLoader.requireHttps("auth.clusters[" + id + "].jwks-url", u,
        insecureJwks, "auth.jwt.allow-insecure-http"));
    if (kind == AuthKind.TOKENREVIEW && kubeconfig.isEmpty()) {
      throw new ConfigException("auth.clusters[" + id + "] uses tokenreview and needs a "
          + "kubeconfig for that cluster's API server");
    }
    if (kind == AuthKind.JWT && jwksFile.isPresent() == jwksUrl.isPresent()) {
      throw new ConfigException("auth.clusters[" + id + "] uses jwt and needs exactly one of "
          + "jwks-file and jwks-url");
    }
    // A tokenreview cluster's issuer is only checked when one is given: the API server's
    // --service-account-issuer differs between providers.
    String issuer = nonEmpty(e.get("issuer"))
        .orElse(kind == AuthKind.JWT ? DEFAULT_ISSUER : "");
    return new Cluster(id, kind, kubeconfig, new Jwt(issuer, jwksFile, jwksUrl));
  }

  private static Map<String, String> strings(Map<?, ?> m) {
    Map<String, String> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k).trim(), v == null ? "" : v.toString().trim()));
    return out;
  }

  private static Map<String, String> fields(String entry) {
    Map<String, String> out = new LinkedHashMap<>();
    for (String field : entry.split(";")) {
      if (field.isBlank()) {
        continue;
      }
      int eq = field.indexOf('=');
      if (eq <= 0) {
        throw new ConfigException("auth.clusters: '" + field.trim() + "' is not field=value "
            + "(entries look like id=east;kind=tokenreview;kubeconfig=/path)");
      }
      out.put(field.substring(0, eq).trim(), field.substring(eq + 1).trim());
    }
    return out;
  }

  private static Optional<String> nonEmpty(String s) {
    return s == null || s.isBlank() ? Optional.empty() : Optional.of(s.trim());
  }
}
