package dev.signet.e2e;

import java.io.IOException;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Pod IPs that workloads really listen on and dial: addresses of a random 10.244.x.0/24 added to
 * the loopback interface ({@code ip addr add <ip>/32 dev lo}, as root; CI is root) and removed on
 * close. Loopback's own 127/8 will not do: the API server refuses loopback addresses in
 * EndpointSlices, and istiod hands gRPC clients the EndpointSlice addresses to dial.
 */
final class PodNetwork implements AutoCloseable {
  private final String prefix;
  private final List<String> added = new ArrayList<>();

  PodNetwork() {
    prefix = "10.244." + (10 + new SecureRandom().nextInt(240)) + ".";
  }

  /** Adds pod IP number {@code n} (1-254) to loopback and returns it. */
  synchronized String add(int n) throws IOException {
    String ip = prefix + n;
    ip("addr", "add", ip + "/32", "dev", "lo");
    added.add(ip);
    return ip;
  }

  private static void ip(String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of("ip"));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    try {
      if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) {
        throw new IOException(String.join(" ", command) + " failed: "
            + new String(p.getInputStream().readAllBytes()));
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted: " + command, e);
    }
  }

  @Override
  public synchronized void close() {
    for (String ip : added) {
      try {
        ip("addr", "del", ip + "/32", "dev", "lo");
      } catch (IOException e) {
        // best effort: the address is harmless and gone at the next boot
      }
    }
    added.clear();
  }
}
