package dev.signet.testing;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersDecoder;
import io.netty.handler.codec.http2.DefaultHttp2HeadersEncoder;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2Headers;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;

/**
 * An HTTP/2 client that writes frames by hand over TLS (ALPN h2), the way an attacker would:
 * request HEADERS without a message or an end of stream, RST_STREAM floods, idle connections.
 * A reader thread decodes every frame the server sends into {@link Frame}s, answers SETTINGS and
 * PING as a real peer must, and queues the rest for the test to await. It trusts any server
 * certificate: it is a test client, and what it tests is not TLS.
 */
public final class RawHttp2Client implements Closeable {
  public static final int DATA = 0x0;
  public static final int HEADERS = 0x1;
  public static final int RST_STREAM = 0x3;
  public static final int SETTINGS = 0x4;
  public static final int PING = 0x6;
  public static final int GOAWAY = 0x7;
  public static final int WINDOW_UPDATE = 0x8;
  public static final int SETTINGS_MAX_CONCURRENT_STREAMS = 0x3;
  private static final int END_STREAM = 0x1;
  private static final int END_HEADERS = 0x4;
  private static final int ACK = 0x1;
  private static final byte[] PREFACE =
      "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

  /** A frame the server sent; {@code headers} are decoded for HEADERS frames. */
  public record Frame(int type, int flags, int streamId, byte[] payload, Http2Headers headers) {
    /** The error code of a RST_STREAM or GOAWAY frame. */
    public long errorCode() {
      int at = type == GOAWAY ? 4 : 0;
      return ((payload[at] & 0xffL) << 24) | ((payload[at + 1] & 0xff) << 16)
          | ((payload[at + 2] & 0xff) << 8) | (payload[at + 3] & 0xff);
    }

    /** A SETTINGS value, or -1 when the frame does not carry it. */
    public long setting(int id) {
      for (int i = 0; i + 6 <= payload.length; i += 6) {
        int key = ((payload[i] & 0xff) << 8) | (payload[i + 1] & 0xff);
        if (key == id) {
          return ((payload[i + 2] & 0xffL) << 24) | ((payload[i + 3] & 0xff) << 16)
              | ((payload[i + 4] & 0xff) << 8) | (payload[i + 5] & 0xff);
        }
      }
      return -1;
    }
  }

  /** Marks the end of the server's byte stream in the frame queue. */
  public static final Frame CLOSED = new Frame(-1, 0, 0, new byte[0], null);

  private final SSLSocket socket;
  private final OutputStream out;
  private final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
  private final DefaultHttp2HeadersEncoder encoder = new DefaultHttp2HeadersEncoder();
  private final DefaultHttp2HeadersDecoder decoder = new DefaultHttp2HeadersDecoder(false);
  private final Thread reader;
  private int nextStream = 1;

  private RawHttp2Client(SSLSocket socket) throws IOException {
    this.socket = socket;
    this.out = socket.getOutputStream();
    this.reader = new Thread(this::readFrames, "raw-h2-reader");
    reader.setDaemon(true);
  }

  /** Connects to 127.0.0.1:{@code port} from {@code localAddress}, sends the preface. */
  public static RawHttp2Client connect(int port, String localAddress) throws Exception {
    SSLContext tls = trustingAnyServer();
    Socket tcp = new Socket();
    tcp.bind(new InetSocketAddress(InetAddress.getByName(localAddress), 0));
    tcp.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
    SSLSocket s = (SSLSocket) tls.getSocketFactory().createSocket(tcp, "localhost", port, true);
    SSLParameters params = s.getSSLParameters();
    params.setApplicationProtocols(new String[] {"h2"});
    s.setSSLParameters(params);
    s.startHandshake();
    if (!"h2".equals(s.getApplicationProtocol())) {
      s.close();
      throw new IOException("the server did not agree to h2 (ALPN: " + s.getApplicationProtocol()
          + ")");
    }
    RawHttp2Client c = new RawHttp2Client(s);
    c.out.write(PREFACE);
    c.frame(SETTINGS, 0, 0, new byte[0]);
    c.out.flush();
    c.reader.start();
    return c;
  }

  /** Opens a gRPC call to {@code method} with request headers only; returns its stream id. */
  public int openCall(String method, boolean endStream) throws IOException {
    return openCall(method, endStream, null);
  }

  /** Opens a gRPC call with {@code authorization: Bearer <token>} when a token is given. */
  public synchronized int openCall(String method, boolean endStream, String token)
      throws IOException {
    int id = nextStream;
    nextStream += 2;
    Http2Headers h = new DefaultHttp2Headers()
        .method("POST").scheme("https").authority("localhost").path(method)
        .set("content-type", "application/grpc").set("te", "trailers");
    if (token != null) {
      h.set("authorization", "Bearer " + token);
    }
    ByteBuf block = Unpooled.buffer();
    try {
      encoder.encodeHeaders(id, h, block);
    } catch (Http2Exception e) {
      throw new IOException(e);
    }
    byte[] bytes = new byte[block.readableBytes()];
    block.readBytes(bytes);
    block.release();
    frame(HEADERS, END_HEADERS | (endStream ? END_STREAM : 0), id, bytes);
    return id;
  }

  /** Sends a gRPC message frame (5-byte prefix and {@code length} zero bytes) on a stream. */
  public void sendMessage(int streamId, int length, boolean endStream) throws IOException {
    sendMessage(streamId, new byte[length], endStream);
  }

  /** Sends {@code message} as one gRPC message (5-byte prefix) in DATA frames. */
  public synchronized void sendMessage(int streamId, byte[] message, boolean endStream)
      throws IOException {
    int length = message.length;
    byte[] payload = new byte[5 + length];
    System.arraycopy(message, 0, payload, 5, length);
    payload[1] = (byte) (length >>> 24);
    payload[2] = (byte) (length >>> 16);
    payload[3] = (byte) (length >>> 8);
    payload[4] = (byte) length;
    int max = 16_384;
    for (int at = 0; at < payload.length; at += max) {
      int n = Math.min(max, payload.length - at);
      byte[] chunk = new byte[n];
      System.arraycopy(payload, at, chunk, 0, n);
      frame(DATA, endStream && at + n == payload.length ? END_STREAM : 0, streamId, chunk);
    }
  }

  /** Sends a PING (not an acknowledgement) with 8 bytes of opaque data. */
  public synchronized void ping(long data) throws IOException {
    byte[] payload = new byte[8];
    for (int i = 0; i < 8; i++) {
      payload[i] = (byte) (data >>> (56 - 8 * i));
    }
    frame(PING, 0, 0, payload);
  }

  /** Resets a stream (error code CANCEL). */
  public synchronized void reset(int streamId) throws IOException {
    frame(RST_STREAM, 0, streamId, new byte[] {0, 0, 0, 0x8});
  }

  /** Writes out what was sent so far. */
  public synchronized void flush() throws IOException {
    out.flush();
  }

  /** The next frame of one of {@code types}, skipping others; {@link #CLOSED} at the end. */
  public Frame await(Duration timeout, int... types) throws InterruptedException {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      long left = deadline - System.nanoTime();
      Frame f = left > 0 ? frames.poll(left, TimeUnit.NANOSECONDS) : null;
      if (f == null) {
        throw new AssertionError("no frame of the awaited types within " + timeout);
      }
      if (f == CLOSED) {
        frames.add(CLOSED);
        return CLOSED;
      }
      for (int t : types) {
        if (f.type() == t) {
          return f;
        }
      }
    }
  }

  private void frame(int type, int flags, int streamId, byte[] payload) throws IOException {
    byte[] head = {
        (byte) (payload.length >>> 16), (byte) (payload.length >>> 8), (byte) payload.length,
        (byte) type, (byte) flags,
        (byte) (streamId >>> 24), (byte) (streamId >>> 16), (byte) (streamId >>> 8),
        (byte) streamId};
    out.write(head);
    out.write(payload);
  }

  private void readFrames() {
    try {
      DataInputStream in = new DataInputStream(socket.getInputStream());
      while (true) {
        int length = (in.readUnsignedByte() << 16) | (in.readUnsignedByte() << 8)
            | in.readUnsignedByte();
        int type = in.readUnsignedByte();
        int flags = in.readUnsignedByte();
        int stream = in.readInt() & 0x7fffffff;
        byte[] payload = new byte[length];
        in.readFully(payload);
        Http2Headers headers = null;
        if (type == HEADERS) {
          ByteBuf block = Unpooled.wrappedBuffer(payload);
          headers = decoder.decodeHeaders(stream, block);
        } else if (type == SETTINGS && (flags & ACK) == 0) {
          synchronized (this) {
            frame(SETTINGS, ACK, 0, new byte[0]);
            out.flush();
          }
        } else if (type == PING && (flags & ACK) == 0) {
          synchronized (this) {
            frame(PING, ACK, 0, payload);
            out.flush();
          }
        }
        frames.add(new Frame(type, flags, stream, payload, headers));
      }
    } catch (EOFException | java.net.SocketException | javax.net.ssl.SSLException e) {
      // The server closed the connection.
    } catch (IOException | Http2Exception e) {
      frames.add(new Frame(-2, 0, 0, String.valueOf(e).getBytes(StandardCharsets.UTF_8), null));
    } finally {
      frames.add(CLOSED);
    }
  }

  /** True while the server has not closed the connection. */
  public boolean open() {
    return !frames.contains(CLOSED);
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }

  /** A TLS context that accepts any server certificate: for tests of what is not TLS. */
  public static SSLContext trustingAnyServer() throws java.security.GeneralSecurityException {
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, new TrustManager[] {new TrustAll()}, new SecureRandom());
    return tls;
  }

  private static final class TrustAll implements X509TrustManager {
    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) {}

    @Override
    public X509Certificate[] getAcceptedIssuers() {
      return new X509Certificate[0];
    }
  }
}
