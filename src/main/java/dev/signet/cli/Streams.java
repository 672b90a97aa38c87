package dev.signet.cli;

import java.io.PrintStream;
import java.util.Map;

/** What a command reads and writes: the environment, standard output and standard error. */
record Streams(Map<String, String> env, PrintStream out, PrintStream err) {}
