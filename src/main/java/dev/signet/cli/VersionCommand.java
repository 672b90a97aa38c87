package dev.signet.cli;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

/** {@code signet version}: the version, commit and build time, as {@code --version} prints. */
@Command(name = "version", mixinStandardHelpOptions = true,
    description = "Print the version, the commit and the build time.")
final class VersionCommand implements Callable<Integer> {
  private final Streams io;

  VersionCommand(Streams io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    io.out().println(BuildInfo.current().describe());
    return 0;
  }
}
