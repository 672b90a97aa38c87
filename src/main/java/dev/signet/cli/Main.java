package dev.signet.cli;

import dev.signet.config.ConfigException;
import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import dev.signet.crypto.CryptoProvider;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.LogManager;

/** The {@code signet} command line: serve, token, request, config and version. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    // Before anything logs (the manager is chosen once, when java.util.logging starts).
    if (System.getProperty("java.util.logging.manager") == null) {
      System.setProperty("java.util.logging.manager", SignetLogManager.class.getName());
    }
    useLogLines();
    System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
  }

  /**
   * Console log lines in Signet's format ({@link LogLineFormatter}), unless the operator chose
   * a {@code SimpleFormatter} format with {@code -Djava.util.logging.SimpleFormatter.format}.
   */
  private static void useLogLines() {
    if (System.getProperty("java.util.logging.SimpleFormatter.format") != null) {
      return;
    }
    for (Handler h : LogManager.getLogManager().getLogger("").getHandlers()) {
      if (h instanceof ConsoleHandler) {
        h.setFormatter(new LogLineFormatter());
      }
    }
  }

  /** Runs one subcommand and returns the process exit code. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out,
      PrintStream err) {
    if (args.isEmpty()) {
      err.println(usage());
      return 2;
    }
    try {
      return switch (args.get(0)) {
        case "version" -> {
          out.println("signet " + version());
          yield 0;
        }
        case "config" -> config(args.subList(1, args.size()), env, out);
        case "serve" -> ServeCommand.run(args.subList(1, args.size()), env, err);
        case "token" -> TokenCommand.run(args.subList(1, args.size()), out, err);
        case "request" -> RequestCommand.run(args.subList(1, args.size()), out, err);
        default -> {
          err.println("unknown command '" + args.get(0) + "'\n" + usage());
          yield 2;
        }
      };
    } catch (ConfigException e) {
      err.println("configuration error: " + e.getMessage());
      return 2;
    }
  }

  /** Validates the effective configuration and prints it, one key a line. */
  private static int config(List<String> args, Map<String, String> env, PrintStream out) {
    SignetConfig config = ServeCommand.load("config", args, env);
    out.println(config);
    out.println("crypto provider: "
        + CryptoProvider.select(config.crypto().provider()).describe());
    return 0;
  }

  static String usage() {
    return """
        usage: signet <command>
          serve   [--dev] [--dev-dir DIR] [--config FILE] [--set key=value]...
                  run the CA (gRPC over TLS, admin HTTP); --dev makes a local CA and token issuer
          token   [--dev-dir DIR] --namespace NS --service-account SA [--audience A] [--ttl 1h]
                  print a token a dev-mode server accepts
          request --token T | --token-file F [--addr host:port] [--ecdsa] [--ttl 24h]
                  [--ca-root root.pem] [--out DIR (certs)] [--trust-domain TD]
                  get a certificate as Istio's agent would, verify it, write the files
          config  [--dev] [--dev-dir DIR] [--config FILE] [--set key=value]...
                  validate and print the effective configuration
          version print the version""";
  }

  /** The version from the build. */
  public static String version() {
    try (InputStream in = Main.class.getResourceAsStream("/dev/signet/version.properties")) {
      Properties p = new Properties();
      if (in != null) {
        p.load(in);
      }
      return p.getProperty("version", "unknown");
    } catch (IOException e) {
      return "unknown";
    }
  }
}
