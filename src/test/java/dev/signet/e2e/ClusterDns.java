package dev.signet.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.util.List;
import java.util.Map;

/**
 * Cluster DNS for processes without a cluster: Service names map to loopback addresses of a
 * random 127.a.b.0/24 (all of 127/8 is loopback on Linux, so nothing else on the machine uses
 * them), written to a hosts file that a process sees as its /etc/hosts inside a mount namespace
 * of its own ({@code unshare --mount}, as root: CI is root, and Signet's port 443 needs it
 * anyway; without root, a user namespace). Istio's
 * agent then dials {@code signet.signet-system.svc:443} and {@code istiod.istio-system.svc:15012}
 * exactly as a mesh configures them and verifies those names.
 */
final class ClusterDns {
  private final String prefix;

  ClusterDns() {
    SecureRandom r = new SecureRandom();
    prefix = "127." + (10 + r.nextInt(240)) + "." + (10 + r.nextInt(240)) + ".";
  }

  /** The loopback address of host number {@code n} (1-254). */
  String address(int n) {
    return prefix + n;
  }

  /**
   * Writes a hosts file naming {@code names} (name to addresses, in the order a resolver returns
   * them) and localhost.
   */
  static Path hostsFile(Path file, Map<String, List<String>> names) throws IOException {
    StringBuilder out = new StringBuilder("127.0.0.1 localhost\n");
    names.forEach((name, addresses) -> addresses.forEach(
        address -> out.append(address).append(' ').append(name).append('\n')));
    Files.writeString(file, out.toString());
    return file;
  }

  /** The command prefix that runs a program with {@code hosts} as its /etc/hosts. */
  static List<String> inMountNamespace(Path hosts) {
    List<String> unshare = "root".equals(System.getProperty("user.name"))
        ? List.of("unshare", "--mount") : List.of("unshare", "--mount", "--map-root-user");
    List<String> command = new java.util.ArrayList<>(unshare);
    command.addAll(List.of("--", "sh", "-c", "mount --bind \"$0\" /etc/hosts && exec \"$@\"",
        hosts.toString()));
    return command;
  }
}
