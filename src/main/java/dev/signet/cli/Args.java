package dev.signet.cli;

import dev.signet.config.ConfigException;
import java.util.List;

/** Walks a command's flags: {@code --name value} pairs and bare switches. */
final class Args {
  private final String command;
  private final List<String> args;
  private int i = -1;

  Args(String command, List<String> args) {
    this.command = command;
    this.args = args;
  }

  /** The next flag, or null at the end. */
  String next() {
    i++;
    return i < args.size() ? args.get(i) : null;
  }

  /** The value of the flag just read. */
  String value() {
    String flag = args.get(i);
    i++;
    if (i >= args.size()) {
      throw new ConfigException(flag + " needs a value");
    }
    return args.get(i);
  }

  ConfigException unknown(String flag) {
    return new ConfigException("unknown flag '" + flag + "' for 'signet " + command + "'");
  }
}
