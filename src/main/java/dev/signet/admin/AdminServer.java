package dev.signet.admin;

import dev.signet.concurrent.DaemonThreads;
import dev.signet.config.SignetConfig.Admin;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * Plain-HTTP admin port: {@code /metrics} (Prometheus text), {@code /healthz} (the process is up)
 * and {@code /readyz} (a CA is loaded and the gRPC server accepts calls). It carries no secrets,
 * so it needs no TLS; keep it off the mesh's public paths all the same.
 *
 * <p>It is a non-blocking netty server on its own event loop, apart from the gRPC transport, so
 * no client can hold it for others: a request must arrive whole within
 * {@code server.admin.read-timeout} ({@link ReadDeadline}), request lines and headers are
 * size-capped, bodies are refused, and open connections are capped in all and per peer
 * ({@link ConnectionLimit}).
 */
public final class AdminServer implements AutoCloseable {
  private static final int MAX_LINE = 4096;
  private static final int MAX_HEADERS = 8192;
  private static final int MAX_BODY = 1024;

  private final EventLoopGroup group;
  private final Channel channel;

  private AdminServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Binds and starts the admin server. */
  public static AdminServer start(String address, int port, Admin limits,
      PrometheusMeterRegistry registry, BooleanSupplier ready) throws IOException {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1,
        DaemonThreads.named("signet-admin"), NioIoHandler.newFactory());
    ConnectionLimit connections = new ConnectionLimit(limits.maxConnections(),
        limits.maxConnectionsPerPeer());
    AdminRoutes routes = new AdminRoutes(registry, ready);
    long readTimeoutNanos = limits.readTimeout().toNanos();
    try {
      Channel channel = new ServerBootstrap()
          .group(group)
          .channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              if (!connections.admit(ch)) {
                ch.close();
                return;
              }
              ch.pipeline()
                  .addLast(new HttpServerCodec(MAX_LINE, MAX_HEADERS, MAX_HEADERS))
                  .addLast(new HttpObjectAggregator(MAX_BODY))
                  .addLast(new ReadDeadline(readTimeoutNanos))
                  .addLast(routes);
            }
          })
          .bind(new InetSocketAddress(address, port))
          .syncUninterruptibly()
          .channel();
      return new AdminServer(group, channel);
    } catch (Exception e) { // netty rethrows the bind's IOException undeclared
      group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw new IOException("cannot bind the admin port " + address + ":" + port + ": "
          + e.getMessage(), e);
    }
  }

  /** The bound port. */
  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
