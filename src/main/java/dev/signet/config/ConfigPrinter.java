package dev.signet.config;

import com.google.gson.GsonBuilder;
import dev.signet.config.SignetConfig.Cluster;
import java.net.URI;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * The effective configuration as a document that {@code --config} reads back: every key, nested
 * as in the defaults file, each value typed like its default. Credentials are redacted: the
 * user information and query of URLs ({@code https://***@host/path?***}) and the AppRole role
 * id ({@code ***}); the printed document still loads, with those values replaced.
 */
public final class ConfigPrinter {
  /** What replaces a secret. */
  public static final String REDACTED = "***";
  private static final Set<String> URL_KEYS = Set.of("auth.jwt.jwks-url", "ca.vault.address");
  private static final Set<String> SECRET_KEYS = Set.of("ca.vault.auth.role-id");

  private ConfigPrinter() {}

  /** The nested document of a loader that has {@link ConfigLoader#load() loaded} {@code config}. */
  public static Map<String, Object> document(ConfigLoader loader, SignetConfig config) {
    Map<String, Object> root = new LinkedHashMap<>();
    for (String key : loader.keys()) {
      Map<String, Object> parent = root;
      String[] parts = key.split("\\.");
      for (int i = 0; i < parts.length - 1; i++) {
        @SuppressWarnings("unchecked")
        Map<String, Object> child = (Map<String, Object>) parent.computeIfAbsent(parts[i],
            p -> new LinkedHashMap<String, Object>());
        parent = child;
      }
      parent.put(parts[parts.length - 1], value(loader, config, key));
    }
    return root;
  }

  private static Object value(ConfigLoader loader, SignetConfig config, String key) {
    if (key.equals("auth.clusters")) {
      return clusters(config.auth().clusters());
    }
    Object type = loader.defaultValue(key);
    if (type instanceof List<?>) {
      return loader.list(key);
    }
    String s = loader.string(key);
    if (type instanceof Boolean) {
      return Boolean.valueOf(s);
    }
    if (type instanceof Integer) {
      return Integer.valueOf(s);
    }
    if (type instanceof Double) {
      return Double.valueOf(s);
    }
    if (URL_KEYS.contains(key) && !s.isEmpty()) {
      return SignetConfig.redacted(URI.create(s));
    }
    return SECRET_KEYS.contains(key) && !s.isEmpty() ? REDACTED : s;
  }

  private static List<Map<String, String>> clusters(List<Cluster> clusters) {
    List<Map<String, String>> out = new ArrayList<>();
    for (Cluster c : clusters) {
      Map<String, String> m = new LinkedHashMap<>();
      m.put("id", c.id());
      m.put("kind", c.kind().name().toLowerCase(java.util.Locale.ROOT));
      c.kubeconfig().ifPresent(k -> m.put("kubeconfig", k.toString()));
      if (!c.jwt().issuer().isEmpty()) {
        m.put("issuer", c.jwt().issuer());
      }
      c.jwt().jwksFile().ifPresent(f -> m.put("jwks-file", f.toString()));
      c.jwt().jwksUrl().ifPresent(u -> m.put("jwks-url", SignetConfig.redacted(u)));
      out.add(m);
    }
    return out;
  }

  /** The document as block YAML. */
  public static String yaml(Map<String, Object> document) {
    DumperOptions options = new DumperOptions();
    options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
    options.setIndent(2);
    options.setIndicatorIndent(2);
    options.setIndentWithIndicator(true);
    return new Yaml(options).dump(document);
  }

  /** The document as JSON (which YAML, and so {@code --config}, also reads). */
  public static String json(Map<String, Object> document) {
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create()
        .toJson(document) + "\n";
  }
}
