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

/** The {@code signet} command line: {@code version} and {@code config}. */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    System.exit(run(Arrays.asList(args), System.getenv(), System.out, System.err));
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
    ConfigLoader loader = ConfigLoader.withDefaults();
    for (int i = 0; i < args.size(); i++) {
      String a = args.get(i);
      switch (a) {
        case "--dev" -> loader.dev();
        case "--config" -> loader.file(Path.of(value(args, ++i, a)));
        case "--set" -> loader.set(value(args, ++i, a));
        default -> throw new ConfigException("unknown flag '" + a + "' for 'signet config'");
      }
    }
    SignetConfig config = loader.environment(env).load();
    out.println(config);
    out.println("crypto provider: "
        + CryptoProvider.select(config.crypto().provider()).describe());
    return 0;
  }

  private static String value(List<String> args, int i, String flag) {
    if (i >= args.size()) {
      throw new ConfigException(flag + " needs a value");
    }
    return args.get(i);
  }

  static String usage() {
    return """
        usage: signet <command>
          version                                 print the version
          config [--dev] [--config FILE] [--set key=value]...
                                                  validate and print the effective configuration""";
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
