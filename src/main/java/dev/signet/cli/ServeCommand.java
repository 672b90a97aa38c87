package dev.signet.cli;

import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import dev.signet.server.SignetServer;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/** {@code signet serve}: runs the server until the process is told to stop. */
final class ServeCommand {
  private ServeCommand() {}

  static int run(List<String> argv, Map<String, String> env, PrintStream err) {
    SignetConfig config = load("serve", argv, env);
    LogSetup.apply(config.log());
    SignetServer server;
    try {
      server = SignetServer.start(config);
    } catch (IOException e) {
      err.println("signet cannot start: " + e.getMessage());
      return 1;
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "signet-shutdown"));
    try {
      server.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  /** The configuration from {@code [--dev] [--dev-dir D] [--config F] [--set k=v]...}. */
  static SignetConfig load(String command, List<String> argv, Map<String, String> env) {
    ConfigLoader loader = ConfigLoader.withDefaults();
    Args args = new Args(command, argv);
    String devDir = null;
    for (String a = args.next(); a != null; a = args.next()) {
      switch (a) {
        case "--dev" -> loader.dev();
        case "--dev-dir" -> devDir = args.value();
        case "--config" -> loader.file(Path.of(args.value()));
        case "--set" -> loader.set(args.value());
        default -> throw args.unknown(a);
      }
    }
    loader.environment(env);
    if (devDir != null) {
      loader.set("ca.dev.directory=" + devDir);
    }
    return loader.load();
  }
}
