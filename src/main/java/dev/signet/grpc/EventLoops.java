package dev.signet.grpc;

import io.grpc.netty.NettyServerBuilder;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.ServerChannel;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC listener's own netty event loops: one thread accepting connections and
 * {@code server.connections.event-loops} threads serving them (native epoll where it loads, NIO
 * otherwise). grpc-java's shared default has twice the cores, which on a one- or two-core pod is
 * two to four loops: every connection then shares its loop with a quarter or more of all others,
 * and a client that makes the server do a burst of work on its connections (thousands of streams
 * opened or expiring at once) delays everyone on those loops. More loops than cores let the
 * operating system interleave a loop with a burst and a loop with a legitimate call
 * (docs/security.md, "Under attack").
 */
final class EventLoops implements AutoCloseable {
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final Class<? extends ServerChannel> channelType;

  EventLoops(int threads) {
    IoHandlerFactory io = Epoll.isAvailable() ? EpollIoHandler.newFactory()
        : NioIoHandler.newFactory();
    this.channelType = Epoll.isAvailable() ? EpollServerSocketChannel.class
        : NioServerSocketChannel.class;
    // netty's thread factory: its threads make netty's thread-local buffer caches fast.
    this.boss = new MultiThreadIoEventLoopGroup(1,
        new DefaultThreadFactory("signet-grpc-accept", true), io);
    this.workers = new MultiThreadIoEventLoopGroup(threads,
        new DefaultThreadFactory("signet-grpc-io", true), io);
  }

  /** Makes the builder's server use these loops (it does not shut them down; {@link #close}). */
  NettyServerBuilder applyTo(NettyServerBuilder builder) {
    return builder.bossEventLoopGroup(boss).workerEventLoopGroup(workers).channelType(channelType);
  }

  /** Shuts the loops down without a quiet period; call after the server has terminated. */
  @Override
  public void close() {
    boss.shutdownGracefully(0, 5, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 5, TimeUnit.SECONDS);
  }
}
