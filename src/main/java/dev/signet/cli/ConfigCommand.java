package dev.signet.cli;

import dev.signet.config.ConfigPrinter;
import dev.signet.config.SignetConfig;
import dev.signet.crypto.CryptoProvider;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code signet config}: validates the effective configuration and prints it. */
@Command(name = "config", mixinStandardHelpOptions = true,
    description = "Validate the effective configuration and print it as a document that "
        + "--config accepts back (credentials redacted). Starts nothing.")
final class ConfigCommand implements Callable<Integer> {
  /** Output formats. */
  enum Format { YAML, JSON }

  private final Streams io;
  @Mixin private ConfigOptions options = new ConfigOptions();

  @Option(names = {"-o", "--output"}, paramLabel = "FORMAT", defaultValue = "yaml",
      description = "yaml (default) or json.")
  private Format format;

  ConfigCommand(Streams io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    SignetConfig config = options.load(io.env());
    Map<String, Object> doc = ConfigPrinter.document(options.loader(), config);
    String provider = CryptoProvider.select(config.crypto().provider()).describe();
    if (format == Format.JSON) {
      io.err().println("crypto provider: " + provider);
      io.out().print(ConfigPrinter.json(doc));
    } else {
      io.out().println("# " + BuildInfo.current().describe());
      io.out().println("# crypto provider: " + provider);
      io.out().print(ConfigPrinter.yaml(doc));
    }
    return 0;
  }
}
