package dev.signet.config;

import java.util.Collection;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;
import org.apache.commons.text.similarity.LevenshteinDistance;

/**
 * Finds the configuration key a misspelt name most likely meant: one at most two edits away
 * (one for short names), or the only key whose name ends with the given one
 * ({@code SIGNET_GRPC_PORT} for {@code server.grpc-port}).
 */
final class KeyNames {
  private static final String PREFIX = "SIGNET_";
  private static final LevenshteinDistance EDITS = LevenshteinDistance.getDefaultInstance();

  private KeyNames() {}

  /** The environment variable that overrides a key. */
  static String envName(String key) {
    return PREFIX + key.toUpperCase(Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  /** The key a misspelt dotted key meant. */
  static Optional<String> nearestKey(String name, Collection<String> keys) {
    return nearest(name, keys, k -> k, ".");
  }

  /**
   * The key a {@code SIGNET_*} variable that names no key meant; empty when it is not close to
   * any (then it is another tool's, such as the launcher's {@code SIGNET_JAR} or a Kubernetes
   * service link {@code SIGNET_SERVICE_PORT}).
   */
  static Optional<String> nearestForVariable(String variable, Collection<String> keys) {
    return nearest(variable.substring(PREFIX.length()), keys,
        k -> envName(k).substring(PREFIX.length()), "_");
  }

  /**
   * Whether a variable is one Kubernetes injects for a Service in the pod's namespace (a
   * Service {@code signet-grpc} gives {@code SIGNET_GRPC_SERVICE_HOST},
   * {@code SIGNET_GRPC_SERVICE_PORT[_<port name>]}, {@code SIGNET_GRPC_PORT=tcp://ip:port} and
   * {@code SIGNET_GRPC_PORT_<port>_<PROTO>[_PROTO|_PORT|_ADDR]}): never a misspelt key.
   */
  static boolean isServiceLink(String name, String value) {
    return SERVICE_LINK.matcher(name).matches()
        || name.endsWith("_PORT") && value != null && LINK_URL.matcher(value).matches();
  }

  private static final Pattern SERVICE_LINK = Pattern.compile(
      ".*_SERVICE_(HOST|PORT(_[A-Z0-9_]+)?)|.*_PORT_\\d+_(TCP|UDP|SCTP)(_PROTO|_PORT|_ADDR)?");
  private static final Pattern LINK_URL = Pattern.compile("(tcp|udp|sctp)://[^\\s]+:\\d+");

  private static Optional<String> nearest(String name, Collection<String> keys,
      java.util.function.UnaryOperator<String> spelling, String separator) {
    int allowed = name.length() <= 4 ? 1 : 2;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    String suffixMatch = null;
    int suffixMatches = 0;
    for (String key : keys) {
      String written = spelling.apply(key);
      int d = EDITS.apply(name, written);
      if (d <= allowed && d < bestDistance) {
        best = key;
        bestDistance = d;
      }
      if (name.contains(separator) && written.endsWith(separator + name)) {
        suffixMatch = key;
        suffixMatches++;
      }
    }
    if (best != null) {
      return Optional.of(best);
    }
    return suffixMatches == 1 ? Optional.of(suffixMatch) : Optional.empty();
  }
}
