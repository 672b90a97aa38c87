package dev.signet.cli;

import dev.signet.config.ConfigLoader;
import dev.signet.config.SignetConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import picocli.CommandLine.Option;

/**
 * The options that build the configuration, shared by {@code serve} and {@code config}.
 * {@code --dev} and {@code --config} apply in the order given; then the {@code SIGNET_*}
 * variables; then every {@code --set}, and {@code --dev-dir} last.
 */
final class ConfigOptions {
  private final List<java.util.function.Consumer<ConfigLoader>> layers = new ArrayList<>();
  private final List<String> sets = new ArrayList<>();
  private String devDir;
  private ConfigLoader loader;

  @Option(names = "--dev", description = "Dev mode: a local CA and token issuer. Never for a "
      + "real mesh.")
  void dev(boolean on) {
    if (on) {
      layers.add(ConfigLoader::dev);
    }
  }

  @Option(names = "--config", paramLabel = "FILE", description = "A YAML file of settings "
      + "(same nesting as 'signet config' prints); may be repeated.")
  void config(Path file) {
    if (file != null) { // picocli may reset an option to its initial value, null
      layers.add(l -> l.file(file));
    }
  }

  @Option(names = "--set", paramLabel = "KEY=VALUE", description = "One setting, e.g. "
      + "--set server.grpc-port=8443; beats files and SIGNET_* variables; may be repeated.")
  void set(String assignment) {
    if (assignment != null) {
      sets.add(assignment);
    }
  }

  @Option(names = "--dev-dir", paramLabel = "DIR", description = "Where dev mode keeps its CA "
      + "and token key (ca.dev.directory).")
  void devDir(String dir) {
    devDir = dir;
  }

  /** The validated configuration. */
  SignetConfig load(Map<String, String> env) {
    loader = ConfigLoader.withDefaults();
    layers.forEach(l -> l.accept(loader));
    loader.environment(env);
    sets.forEach(loader::set);
    if (devDir != null) {
      loader.set("ca.dev.directory=" + devDir);
    }
    return loader.load();
  }

  /** The loader of the last {@link #load}, which knows where each value came from. */
  ConfigLoader loader() {
    return loader;
  }
}
