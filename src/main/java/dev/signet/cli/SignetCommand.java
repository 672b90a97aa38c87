package dev.signet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.IVersionProvider;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** {@code signet}: without a command, prints its usage to standard error (exit code 2). */
@Command(name = "signet", mixinStandardHelpOptions = true,
    versionProvider = SignetCommand.Version.class,
    description = "A gRPC certificate authority for Istio (external CA).",
    footer = {"", "Exit codes: 0 done, 1 failed (a port in use, a refused request), "
        + "2 usage or configuration error.",
        "Every configuration key: docs/configuration.md."},
    subcommands = HelpCommand.class)
final class SignetCommand implements Callable<Integer> {
  @Spec private CommandSpec spec;

  @Override
  public Integer call() {
    spec.commandLine().usage(spec.commandLine().getErr());
    return 2;
  }

  /** {@code --version}: the same line as {@code signet version}. */
  static final class Version implements IVersionProvider {
    @Override
    public String[] getVersion() {
      return new String[] {BuildInfo.current().describe()};
    }
  }
}
