package dev.signet.admin;

import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Closes an admin connection whose next request has not arrived whole within the read timeout,
 * counted from the connection opening or from the end of the previous response. A client that
 * trickles a request line byte by byte (slowloris) is cut off when the time is up, however
 * steadily it sends. Sits behind the HTTP codec and aggregator, so a whole request and a whole
 * response are each one {@link LastHttpContent}.
 */
final class ReadDeadline extends ChannelDuplexHandler {
  private final long timeoutNanos;
  private ScheduledFuture<?> pending;

  ReadDeadline(long timeoutNanos) {
    this.timeoutNanos = timeoutNanos;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    arm(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof LastHttpContent) {
      disarm();
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof LastHttpContent) {
      // The response is complete: the next request gets a fresh allowance.
      promise = promise.unvoid();
      promise.addListener(f -> {
        if (f.isSuccess() && ctx.channel().isActive()) {
          arm(ctx);
        }
      });
    }
    ctx.write(msg, promise);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    disarm();
    ctx.fireChannelInactive();
  }

  private void arm(ChannelHandlerContext ctx) {
    disarm();
    pending = ctx.executor().schedule(() -> ctx.close(), timeoutNanos, TimeUnit.NANOSECONDS);
  }

  private void disarm() {
    if (pending != null) {
      pending.cancel(false);
      pending = null;
    }
  }
}
