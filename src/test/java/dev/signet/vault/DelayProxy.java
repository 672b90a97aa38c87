package dev.signet.vault;

import dev.signet.concurrent.DaemonThreads;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.Arrays;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * A loopback TCP proxy that holds every chunk of bytes, in each direction, for a fixed delay
 * before passing it on: a stand-in for the network between Signet and a Vault on other nodes,
 * for benchmarks only (this kernel has no netem to delay a veth link). A round trip through it
 * takes twice the delay plus the time on both ends. Order within a connection is kept.
 */
final class DelayProxy implements AutoCloseable {
  private record Chunk(long dueNanos, byte[] bytes) {}

  private static final Chunk END = new Chunk(0, new byte[0]);

  private final ServerSocket listener;
  private final String target;
  private final int targetPort;
  private final long delayNanos;
  private final ExecutorService threads =
      Executors.newCachedThreadPool(DaemonThreads.named("delay-proxy"));

  /** A proxy for the server at {@code http://host:port}. */
  DelayProxy(String targetAddress, long delayMicros) throws IOException {
    String hostPort = targetAddress.replaceFirst("^https?://", "");
    int colon = hostPort.lastIndexOf(':');
    this.listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    this.target = hostPort.substring(0, colon);
    this.targetPort = Integer.parseInt(hostPort.substring(colon + 1));
    this.delayNanos = TimeUnit.MICROSECONDS.toNanos(delayMicros);
    threads.execute(this::accept);
  }

  /** {@code http://127.0.0.1:port} of the proxy. */
  String address() {
    return "http://127.0.0.1:" + listener.getLocalPort();
  }

  private void accept() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(target, targetPort);
        client.setTcpNoDelay(true);
        server.setTcpNoDelay(true);
        pipe(client, server);
        pipe(server, client);
      } catch (IOException e) {
        return; // closed
      }
    }
  }

  /** Reads from {@code from} and writes to {@code to} what was read {@code delay} ago. */
  private void pipe(Socket from, Socket to) {
    BlockingQueue<Chunk> due = new LinkedBlockingQueue<>();
    threads.execute(() -> {
      byte[] buf = new byte[64 * 1024];
      try (InputStream in = from.getInputStream()) {
        int n;
        while ((n = in.read(buf)) > 0) {
          due.add(new Chunk(System.nanoTime() + delayNanos, Arrays.copyOf(buf, n)));
        }
      } catch (IOException e) {
        // the connection ended
      }
      due.add(END);
    });
    threads.execute(() -> {
      try (OutputStream out = to.getOutputStream()) {
        while (true) {
          Chunk c = due.take();
          if (c == END) {
            break;
          }
          long wait;
          while ((wait = c.dueNanos() - System.nanoTime()) > 0) {
            LockSupport.parkNanos(wait);
          }
          out.write(c.bytes());
        }
      } catch (IOException | InterruptedException e) {
        // the connection ended
      } finally {
        close(from);
        close(to);
      }
    });
  }

  private static void close(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // already closed
    }
  }

  @Override
  public void close() throws IOException {
    listener.close();
    threads.shutdownNow();
  }
}
