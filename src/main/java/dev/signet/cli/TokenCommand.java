package dev.signet.cli;

import dev.signet.config.ConfigException;
import dev.signet.config.Durations;
import dev.signet.dev.DevTokens;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/** {@code signet token}: prints a service-account token the dev-mode server accepts. */
final class TokenCommand {
  private TokenCommand() {}

  static int run(List<String> argv, PrintStream out, PrintStream err) {
    Args args = new Args("token", argv);
    Path dir = Path.of(".signet-dev");
    String namespace = "default";
    String serviceAccount = "default";
    List<String> audiences = new ArrayList<>();
    Duration ttl = Duration.ofHours(1);
    for (String a = args.next(); a != null; a = args.next()) {
      switch (a) {
        case "--dev-dir" -> dir = Path.of(args.value());
        case "--namespace", "-n" -> namespace = args.value();
        case "--service-account", "-s" -> serviceAccount = args.value();
        case "--audience" -> audiences.add(args.value());
        case "--ttl" -> ttl = parse(args.value());
        default -> throw args.unknown(a);
      }
    }
    if (!Files.exists(dir.resolve(DevTokens.KEY_FILE))) {
      err.println("no dev token issuer in " + dir.toAbsolutePath() + ": start 'signet serve "
          + "--dev' first (or pass --dev-dir)");
      return 1;
    }
    try {
      out.println(DevTokens.open(dir).issue(namespace, serviceAccount,
          audiences.isEmpty() ? List.of("istio-ca") : audiences, ttl));
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      err.println("cannot issue a token: " + e.getMessage());
      return 1;
    }
  }

  private static Duration parse(String s) {
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--ttl: " + e.getMessage());
    }
  }
}
