package dev.signet.cli;

import dev.signet.config.ConfigException;
import dev.signet.config.Durations;
import org.apache.commons.text.similarity.LevenshteinDistance;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.logging.ConsoleHandler;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogManager;
import java.util.logging.Logger;
import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;

/**
 * The {@code signet} command line: serve, request, token, config, version, help and completion.
 * The one place where failures become exit codes and messages: 2 and one line naming the
 * option for a usage error, 2 for a configuration error, 1 for a command that failed; never a
 * stack trace.
 */
public final class Main {
  // No static Logger here: java.util.logging must not start before main() chooses its manager.
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

  /** Runs one command line and returns the process exit code. */
  public static int run(List<String> args, Map<String, String> env, PrintStream out,
      PrintStream err) {
    return commandLine(new Streams(env, out, err)).execute(args.toArray(String[]::new));
  }

  static CommandLine commandLine(Streams io) {
    CommandLine cl = new CommandLine(new SignetCommand());
    cl.addSubcommand(new ServeCommand(io));
    cl.addSubcommand(new RequestCommand(io));
    cl.addSubcommand(new TokenCommand(io));
    cl.addSubcommand(new ConfigCommand(io));
    cl.addSubcommand(new VersionCommand(io));
    cl.addSubcommand("completion", new AutoComplete.GenerateCompletion());
    CommandLine completion = cl.getSubcommands().get("completion");
    completion.getCommandSpec().usageMessage().hidden(false)
        .description("Print a bash/zsh completion script: source <(signet completion)");
    // Settings below reach every subcommand added above.
    cl.registerConverter(Duration.class, Main::duration);
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setOverwrittenOptionsAllowed(true);
    cl.setOut(new PrintWriter(io.out(), true, StandardCharsets.UTF_8));
    cl.setErr(new PrintWriter(io.err(), true, StandardCharsets.UTF_8));
    cl.setParameterExceptionHandler((e, a) -> usageError(e, io.err()));
    cl.setExecutionExceptionHandler((e, c, parsed) -> failed(e, c, io.err()));
    return cl;
  }

  private static Duration duration(String s) {
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw new TypeConversionException(e.getMessage());
    }
  }

  /** One line: the command, what is wrong, where help is. */
  private static int usageError(ParameterException e, PrintStream err) {
    String command = e.getCommandLine().getCommandSpec().qualifiedName();
    err.println(command + ": " + problem(e) + "; see '" + command + " --help'");
    return 2;
  }

  private static String problem(ParameterException e) {
    if (e instanceof UnmatchedArgumentException u && !u.getUnmatched().isEmpty()) {
      String first = u.getUnmatched().get(0);
      boolean isCommand = !first.startsWith("-")
          && !u.getCommandLine().getSubcommands().isEmpty();
      String what = first.startsWith("-") ? "unknown option '" + first + "'"
          : isCommand ? "unknown command '" + first + "'"
          : "unexpected argument '" + first + "'";
      List<String> near = first.startsWith("-") ? nearOptions(u.getCommandLine(), first)
          : u.getSuggestions();
      return what + (near.isEmpty() ? ""
          : " (did you mean " + String.join(" or ", near.subList(0, Math.min(3, near.size())))
              + "?)");
    }
    return String.valueOf(e.getMessage()).replace('\n', ' ').trim();
  }

  /** The command's option names at most two edits from a misspelt one. */
  private static List<String> nearOptions(CommandLine c, String written) {
    String name = written.contains("=") ? written.substring(0, written.indexOf('=')) : written;
    return c.getCommandSpec().options().stream().flatMap(o -> Arrays.stream(o.names()))
        .filter(n -> n.startsWith("--") && LevenshteinDistance.getDefaultInstance().apply(n, name) <= 2).sorted()
        .toList();
  }

  private static int failed(Exception e, CommandLine c, PrintStream err) {
    if (e instanceof ConfigException) {
      err.println("configuration error: " + e.getMessage());
      return 2;
    }
    if (e instanceof CommandFailure) {
      err.println(e.getMessage());
      return 1;
    }
    Logger.getLogger(Main.class.getName()).log(Level.FINE, "unexpected failure", e);
    err.println(c.getCommandSpec().qualifiedName() + " failed unexpectedly: "
        + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": "
        + e.getMessage().replace('\n', ' ')));
    return 1;
  }

  /** The version from the build. */
  public static String version() {
    return BuildInfo.current().version();
  }
}
