package dev.signet.admin;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler.Sharable;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import java.util.function.BooleanSupplier;

/**
 * Answers the admin paths. A request the codec could not read (too long, malformed) gets 400 and
 * the connection is closed; anything but GET or HEAD gets 405; an unknown path 404.
 */
@Sharable
final class AdminRoutes extends SimpleChannelInboundHandler<FullHttpRequest> {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private final PrometheusMeterRegistry registry;
  private final BooleanSupplier ready;

  AdminRoutes(PrometheusMeterRegistry registry, BooleanSupplier ready) {
    this.registry = registry;
    this.ready = ready;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
    if (!request.decoderResult().isSuccess()) {
      respond(ctx, request, HttpResponseStatus.BAD_REQUEST, "text/plain", "bad request\n", false);
      return;
    }
    HttpMethod method = request.method();
    boolean head = method.equals(HttpMethod.HEAD);
    if (!head && !method.equals(HttpMethod.GET)) {
      respond(ctx, request, HttpResponseStatus.METHOD_NOT_ALLOWED, "text/plain",
          "only GET and HEAD\n", HttpUtil.isKeepAlive(request));
      return;
    }
    String path = request.uri();
    int query = path.indexOf('?');
    if (query >= 0) {
      path = path.substring(0, query);
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    switch (path) {
      case "/metrics" -> respond(ctx, request, HttpResponseStatus.OK, PROMETHEUS_TEXT,
          head ? "" : registry.scrape(), keepAlive);
      case "/healthz" -> respond(ctx, request, HttpResponseStatus.OK, "text/plain", "ok\n",
          keepAlive);
      case "/readyz" -> {
        boolean ok = ready.getAsBoolean();
        respond(ctx, request, ok ? HttpResponseStatus.OK : HttpResponseStatus.SERVICE_UNAVAILABLE,
            "text/plain", ok ? "ready\n" : "not ready\n", keepAlive);
      }
      default -> respond(ctx, request, HttpResponseStatus.NOT_FOUND, "text/plain",
          "not found\n", keepAlive);
    }
  }

  private static void respond(ChannelHandlerContext ctx, FullHttpRequest request,
      HttpResponseStatus status, String type, String body, boolean keepAlive) {
    boolean head = request.method().equals(HttpMethod.HEAD);
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ByteBuf content = head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(bytes);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
    response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, head ? 0 : bytes.length);
    if (keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
      ctx.writeAndFlush(response);
    } else {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
      ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    // A client that resets or breaks its connection: nothing to log, nothing to answer.
    ctx.close();
  }
}
