package dev.signet.cli;

import dev.signet.dev.DevTokens;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** {@code signet token}: prints a service-account token the dev-mode server accepts. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Print a service-account token that a dev-mode server accepts.")
final class TokenCommand implements Callable<Integer> {
  private final Streams io;

  @Option(names = "--dev-dir", paramLabel = "DIR", defaultValue = ".signet-dev",
      description = "The dev-mode directory of the server (default: ${DEFAULT-VALUE}).")
  private Path dir;

  @Option(names = {"-n", "--namespace"}, paramLabel = "NS", defaultValue = "default",
      description = "The service account's namespace (default: ${DEFAULT-VALUE}).")
  private String namespace;

  @Option(names = {"-s", "--service-account"}, paramLabel = "SA", defaultValue = "default",
      description = "The service account (default: ${DEFAULT-VALUE}).")
  private String serviceAccount;

  @Option(names = "--audience", paramLabel = "AUD",
      description = "An audience; may be repeated (default: istio-ca).")
  private List<String> audiences = new ArrayList<>();

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "1h",
      description = "Lifetime, like 90s, 15m, 1h (default: ${DEFAULT-VALUE}).")
  private Duration ttl;

  TokenCommand(Streams io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    if (!Files.exists(dir.resolve(DevTokens.KEY_FILE))) {
      throw new CommandFailure("no dev token issuer in " + dir.toAbsolutePath() + ": start "
          + "'signet serve --dev' first (or pass --dev-dir)");
    }
    try {
      io.out().println(DevTokens.open(dir).issue(namespace, serviceAccount,
          audiences.isEmpty() ? List.of("istio-ca") : audiences, ttl));
      return 0;
    } catch (IOException | IllegalArgumentException e) {
      throw new CommandFailure("cannot issue a token: " + e.getMessage());
    }
  }
}
