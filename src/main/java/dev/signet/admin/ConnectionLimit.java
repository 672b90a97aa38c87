package dev.signet.admin;

import io.netty.channel.Channel;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Caps open admin connections, in all and per peer IP address, so that one client cannot take
 * every slot from the kubelet's probes and Prometheus. The per-peer map only holds addresses
 * with an open connection, so it is bounded by the total cap.
 */
final class ConnectionLimit {
  private final int max;
  private final int maxPerPeer;
  private final AtomicInteger open = new AtomicInteger();
  private final ConcurrentHashMap<InetAddress, Integer> perPeer = new ConcurrentHashMap<>();

  ConnectionLimit(int max, int maxPerPeer) {
    this.max = max;
    this.maxPerPeer = maxPerPeer;
  }

  /** Counts a new connection, releasing it when it closes; false when over a cap. */
  boolean admit(Channel ch) {
    InetAddress peer = ((InetSocketAddress) ch.remoteAddress()).getAddress();
    if (open.incrementAndGet() > max) {
      open.decrementAndGet();
      return false;
    }
    boolean[] admitted = {false};
    perPeer.compute(peer, (k, n) -> {
      int count = n == null ? 0 : n;
      if (count >= maxPerPeer) {
        return n;
      }
      admitted[0] = true;
      return count + 1;
    });
    if (!admitted[0]) {
      open.decrementAndGet();
      return false;
    }
    ch.closeFuture().addListener(f -> {
      perPeer.computeIfPresent(peer, (k, n) -> n <= 1 ? null : n - 1);
      open.decrementAndGet();
    });
    return true;
  }
}
