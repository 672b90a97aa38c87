package dev.signet.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.opentest4j.TestAbortedException;

/**
 * Finds the real programs that tests run beside Signet (OpenBao, kube-apiserver, etcd, ...).
 *
 * <p>Each program is built or installed by a script {@code .ci/tools/<tool>.sh}, which caches it
 * under the user's cache directory and prints its path; {@code .ci/run} runs those scripts and
 * exports the paths as {@code SIGNET_<TOOL>} (for example {@code SIGNET_BAO}). A test asks for
 * a program by that variable. When it is missing, the test fails under {@code CI=true} (CI
 * must never pass without the real dependency) and is aborted, with the command that provides
 * the program, on a developer's machine.
 */
public final class TestTools {
  private TestTools() {}

  /**
   * The program named by environment variable {@code variable}.
   *
   * @param script the {@code .ci/tools} script that builds it, named in the message
   */
  public static Path require(String variable, String script) {
    Optional<Path> found = Optional.ofNullable(System.getenv(variable))
        .filter(s -> !s.isBlank())
        .map(Path::of)
        .filter(Files::isExecutable);
    if (found.isPresent()) {
      return found.get();
    }
    String message = variable + " does not name an executable; build it with "
        + "'export " + variable + "=$(bash .ci/tools/" + script + ")'";
    if (ci()) {
      throw new AssertionError("CI=true and a test dependency is missing: " + message);
    }
    throw new TestAbortedException(message);
  }

  /**
   * The value of environment variable {@code variable} (an image name, say), built by
   * {@code script}; missing: a failure under CI, an aborted test elsewhere, as for programs.
   */
  public static String requireValue(String variable, String script) {
    String value = System.getenv(variable);
    if (value != null && !value.isBlank()) {
      return value;
    }
    return missing(variable + " is not set; build it with 'export " + variable + "=$(bash "
        + script + ")'");
  }

  /**
   * Fails under CI, aborts the test elsewhere, with {@code message}; never returns normally
   * (its type lets callers write {@code return missing(...)}).
   */
  public static <T> T missing(String message) {
    if (ci()) {
      throw new AssertionError("CI=true and a test dependency is missing: " + message);
    }
    throw new TestAbortedException(message);
  }

  /** True when running under CI, where a missing dependency is a failure. */
  public static boolean ci() {
    return "true".equalsIgnoreCase(System.getenv("CI"));
  }
}
