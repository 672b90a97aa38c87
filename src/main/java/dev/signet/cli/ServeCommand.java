package dev.signet.cli;

import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import dev.signet.server.PortInUseException;
import dev.signet.server.SignetServer;
import java.io.IOException;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

/** {@code signet serve}: runs the server until the process is told to stop. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    description = "Run the CA: gRPC over TLS and the admin HTTP port (/metrics, /healthz, "
        + "/readyz). Stops on SIGTERM after draining calls in flight.")
final class ServeCommand implements Callable<Integer> {
  private final Streams io;
  @Mixin private ConfigOptions options = new ConfigOptions();

  ServeCommand(Streams io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    SignetConfig config = options.load(io.env());
    LogSetup.apply(config.log());
    SignetServer server;
    try {
      server = SignetServer.start(config);
    } catch (PortInUseException e) {
      throw new CommandFailure(portInUse(e, options.loader()));
    } catch (IOException e) {
      throw new CommandFailure("signet cannot start: " + e.getMessage());
    }
    Runtime.getRuntime().addShutdownHook(new Thread(server::close, "signet-shutdown"));
    try {
      server.awaitTermination();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return 0;
  }

  static String portInUse(PortInUseException e, ConfigLoader loader) {
    return "signet cannot start: " + e.key() + " " + e.port() + " on " + e.address()
        + " is already in use (from " + loader.origin(e.key()) + "); stop what listens there, "
        + "or choose a free port with --set " + e.key() + "=PORT (or " + ConfigLoader.envName(
        e.key()) + ")";
  }
}
