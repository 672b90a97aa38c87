package dev.signet.image;

import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.api.v1.IstioCertificateResponse;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.client.SignetClient;
import io.grpc.CallOptions;
import io.grpc.ClientCall;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Status;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;

/**
 * A CreateCertificate call held open on a connection of its own: {@link #open} starts the
 * HTTP/2 stream (headers and token sent, no request yet), so the server has the call in flight;
 * {@link #finish} sends the CSR and half-closes, and the answer (or the failure) arrives in
 * {@link #result}. {@link #close()} closes the connection.
 *
 * <p>grpc-java opens the stream of a unary call only with its request (and buffers it for
 * retries), so this call is described as client-streaming, on a channel without retries: the
 * same bytes on the wire (one message, then end of stream), with the stream opened at once.
 */
final class InFlightCall implements AutoCloseable {
  private final ManagedChannel channel;
  private final ClientCall<IstioCertificateRequest, IstioCertificateResponse> call;
  private final CompletableFuture<Void> ready = new CompletableFuture<>();
  final CompletableFuture<List<String>> result = new CompletableFuture<>();

  private InFlightCall(int port, Path root, String token) throws SSLException {
    channel = NettyChannelBuilder.forAddress("localhost", port)
        .sslContext(GrpcSslContexts.forClient().trustManager(root.toFile()).build())
        .disableRetry().build();
    call = channel.newCall(IstioCertificateServiceGrpc.getCreateCertificateMethod().toBuilder()
        .setType(MethodDescriptor.MethodType.CLIENT_STREAMING).build(),
        CallOptions.DEFAULT.withCallCredentials(SignetClient.bearer(token))
            .withDeadlineAfter(60, TimeUnit.SECONDS));
  }

  /** Starts the call and waits until its stream is open on the connection. */
  static InFlightCall open(int port, Path root, String token, Duration within)
      throws Exception {
    InFlightCall c = new InFlightCall(port, root, token);
    c.call.start(c.new Listener(), new Metadata());
    c.call.request(1);
    c.ready.get(within.toMillis(), TimeUnit.MILLISECONDS);
    return c;
  }

  /** Sends the request and ends the client's side of the call. */
  void finish(String csrPem, Duration ttl) {
    call.sendMessage(IstioCertificateRequest.newBuilder().setCsr(csrPem)
        .setValidityDuration(ttl.toSeconds()).build());
    call.halfClose();
  }

  @Override
  public void close() {
    channel.shutdownNow();
    try {
      channel.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private final class Listener extends ClientCall.Listener<IstioCertificateResponse> {
    private volatile List<String> chain;

    @Override
    public void onReady() {
      ready.complete(null);
    }

    @Override
    public void onMessage(IstioCertificateResponse message) {
      chain = message.getCertChainList();
    }

    @Override
    public void onClose(Status status, Metadata trailers) {
      ready.complete(null);
      if (status.isOk() && chain != null) {
        result.complete(chain);
      } else {
        result.completeExceptionally(status.asRuntimeException(trailers));
      }
    }
  }
}
