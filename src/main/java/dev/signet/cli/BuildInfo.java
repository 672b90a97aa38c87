package dev.signet.cli;

import java.io.IOException;
import java.io.InputStream;
import java.util.Properties;

/**
 * What the build stamped into the jar ({@code dev/signet/version.properties}, filled by Maven):
 * the version, the commit and the build time. A value the build could not know (no git, or a
 * source tree without history) reads {@code unknown}.
 */
public record BuildInfo(String version, String commit, String buildTime) {
  private static final String RESOURCE = "/dev/signet/version.properties";
  private static final String UNKNOWN = "unknown";

  /** The build information of the running jar. */
  public static BuildInfo current() {
    Properties p = new Properties();
    try (InputStream in = BuildInfo.class.getResourceAsStream(RESOURCE)) {
      if (in != null) {
        p.load(in);
      }
    } catch (IOException e) {
      // an unreadable resource leaves every field unknown
    }
    return from(p);
  }

  /** The build information in {@code version.properties} form. */
  static BuildInfo from(Properties p) {
    String commit = get(p, "commit");
    if (!commit.equals(UNKNOWN) && "true".equals(p.getProperty("dirty"))) {
      commit += "-dirty"; // built with uncommitted changes
    }
    return new BuildInfo(get(p, "version"), commit, get(p, "build-time"));
  }

  /** A property, or unknown when missing or left unfilled ({@code ${...}}). */
  private static String get(Properties p, String name) {
    String v = p.getProperty(name, "").trim();
    return v.isEmpty() || v.startsWith("${") ? UNKNOWN : v;
  }

  /** {@code signet 0.1.0 (commit 1a2b3c4d5e6f, built 2026-11-29T06:00:00Z)}. */
  public String describe() {
    return "signet " + version + " (commit " + commit + ", built " + buildTime + ")";
  }
}
