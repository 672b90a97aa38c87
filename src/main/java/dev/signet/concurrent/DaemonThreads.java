package dev.signet.concurrent;

import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Signet's background threads: daemons (they never keep a stopping process alive; every owner
 * shuts its executor down in close()), named {@code <name>-<n>} so thread dumps and per-thread
 * CPU figures say what each one is.
 */
public final class DaemonThreads {
  private DaemonThreads() {}

  public static ThreadFactory named(String name) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, name + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
