package dev.signet.e2e;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.ByteString;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.CodedOutputStream;
import com.google.protobuf.ListValue;
import com.google.protobuf.NullValue;
import com.google.protobuf.Struct;
import com.google.protobuf.Value;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.NettyChannelBuilder;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.unix.DomainSocketAddress;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * What a proxyless gRPC application does first with the bootstrap its agent wrote: connects to
 * the agent's XDS socket and asks for a Listener over ADS, with the bootstrap's node. The agent
 * forwards the stream to istiod over mutual TLS (its Signet certificate; istiod's verified with
 * the mesh root) and relays the answer. The messages are Envoy's ADS protos, written and read
 * field by field (envoy.service.discovery.v3 DiscoveryRequest and DiscoveryResponse).
 */
final class XdsProbe {
  static final String LISTENER = "type.googleapis.com/envoy.config.listener.v3.Listener";
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final MethodDescriptor<byte[], byte[]> ADS = MethodDescriptor
      .<byte[], byte[]>newBuilder().setType(MethodDescriptor.MethodType.BIDI_STREAMING)
      .setFullMethodName(
          "envoy.service.discovery.v3.AggregatedDiscoveryService/StreamAggregatedResources")
      .setRequestMarshaller(new Bytes()).setResponseMarshaller(new Bytes()).build();

  private XdsProbe() {}

  /**
   * A DiscoveryResponse: its type and the names of its resources, and whether the condition
   * checked while the stream was still open held.
   */
  record Response(String typeUrl, List<String> names, boolean heldWhileOpen) {}

  /**
   * Sends one request for {@code names} of {@code typeUrl} as the application of
   * {@code bootstrap} would, and returns the first response.
   *
   * @param rootfs the container root the bootstrap's unix:// path is in
   * @param whileOpen polled (within {@code timeout}) after the response, before the stream
   *     closes
   */
  static Response ask(Path bootstrap, Path rootfs, String typeUrl, List<String> names,
      Duration timeout, java.util.function.BooleanSupplier whileOpen) throws Exception {
    JsonNode b = JSON.readTree(Files.readString(bootstrap));
    String uri = b.path("xds_servers").path(0).path("server_uri").asText();
    if (!uri.startsWith("unix://")) {
      throw new AssertionError("not a unix socket: " + uri);
    }
    String path = uri.substring("unix://".length());
    Path socket = path.startsWith("/") ? rootfs.resolve(path.substring(1)) : rootfs.resolve(path);
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, EpollIoHandler.newFactory());
    ManagedChannel channel = NettyChannelBuilder
        .forAddress(new DomainSocketAddress(socket.toString()))
        .eventLoopGroup(group).channelType(EpollDomainSocketChannel.class).usePlaintext()
        .build();
    try {
      CompletableFuture<byte[]> first = new CompletableFuture<>();
      ClientCall<byte[], byte[]> call = channel.newCall(ADS, CallOptions.DEFAULT
          .withDeadlineAfter(timeout.toMillis(), TimeUnit.MILLISECONDS));
      call.start(new ClientCall.Listener<>() {
        @Override
        public void onMessage(byte[] message) {
          first.complete(message);
        }

        @Override
        public void onClose(Status status, Metadata trailers) {
          first.completeExceptionally(new AssertionError("ADS stream closed: " + status));
        }
      }, new Metadata());
      call.request(1);
      call.sendMessage(request(b.path("node"), typeUrl, names));
      byte[] response = first.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      boolean held = false;
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!held && System.nanoTime() < deadline) {
        held = whileOpen.getAsBoolean();
        if (!held) {
          dev.signet.testing.Poll.pause();
        }
      }
      call.cancel("done", null);
      return parse(response, held);
    } finally {
      channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

  private static byte[] request(JsonNode node, String typeUrl, List<String> names)
      throws IOException {
    ByteArrayOutputStream nodeBytes = new ByteArrayOutputStream();
    CodedOutputStream n = CodedOutputStream.newInstance(nodeBytes);
    n.writeString(1, node.path("id").asText());
    if (node.has("cluster")) {
      n.writeString(2, node.path("cluster").asText());
    }
    n.writeMessage(3, struct(node.path("metadata")));
    n.flush();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    CodedOutputStream r = CodedOutputStream.newInstance(out);
    r.writeBytes(2, ByteString.copyFrom(nodeBytes.toByteArray()));
    for (String name : names) {
      r.writeString(3, name);
    }
    r.writeString(4, typeUrl);
    r.flush();
    return out.toByteArray();
  }

  private static Response parse(byte[] message, boolean held) throws IOException {
    CodedInputStream in = CodedInputStream.newInstance(message);
    String typeUrl = "";
    List<String> names = new ArrayList<>();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      switch (tag >>> 3) {
        case 2 -> names.add(nameOf(anyValue(in.readBytes())));
        case 4 -> typeUrl = in.readString();
        default -> in.skipField(tag);
      }
    }
    return new Response(typeUrl, names, held);
  }

  /** google.protobuf.Any's value (field 2). */
  private static ByteString anyValue(ByteString any) throws IOException {
    CodedInputStream in = any.newCodedInput();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag >>> 3 == 2) {
        return in.readBytes();
      }
      in.skipField(tag);
    }
    return ByteString.EMPTY;
  }

  /** Field 1, the name of a Listener, Cluster or RouteConfiguration. */
  private static String nameOf(ByteString resource) throws IOException {
    CodedInputStream in = resource.newCodedInput();
    for (int tag = in.readTag(); tag != 0; tag = in.readTag()) {
      if (tag >>> 3 == 1) {
        return in.readString();
      }
      in.skipField(tag);
    }
    return "";
  }

  private static Struct struct(JsonNode object) {
    Struct.Builder s = Struct.newBuilder();
    object.properties().forEach(e -> s.putFields(e.getKey(), value(e.getValue())));
    return s.build();
  }

  private static Value value(JsonNode v) {
    if (v.isObject()) {
      return Value.newBuilder().setStructValue(struct(v)).build();
    }
    if (v.isArray()) {
      ListValue.Builder l = ListValue.newBuilder();
      v.forEach(e -> l.addValues(value(e)));
      return Value.newBuilder().setListValue(l).build();
    }
    if (v.isBoolean()) {
      return Value.newBuilder().setBoolValue(v.asBoolean()).build();
    }
    if (v.isNumber()) {
      return Value.newBuilder().setNumberValue(v.asDouble()).build();
    }
    if (v.isNull()) {
      return Value.newBuilder().setNullValue(NullValue.NULL_VALUE).build();
    }
    return Value.newBuilder().setStringValue(v.asText()).build();
  }

  private static final class Bytes implements MethodDescriptor.Marshaller<byte[]> {
    @Override
    public InputStream stream(byte[] value) {
      return new ByteArrayInputStream(value);
    }

    @Override
    public byte[] parse(InputStream stream) {
      try {
        return stream.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
  }
}
