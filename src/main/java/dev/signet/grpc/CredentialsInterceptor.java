package dev.signet.grpc;

import dev.signet.auth.Credentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;

/**
 * Collects what a call carries to prove who sent it (bearer token, TLS client certificates,
 * ClusterID, and the peer address the authentication limits count by) into the call's
 * {@link Context}. Deciding what they prove is the authenticator's
 * job.
 */
public final class CredentialsInterceptor implements ServerInterceptor {
  static final Context.Key<Credentials> CREDENTIALS = Context.key("signet-credentials");
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final Metadata.Key<String> CLUSTER_ID =
      Metadata.Key.of("clusterid", Metadata.ASCII_STRING_MARSHALLER);

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    SSLSession session = call.getAttributes().get(Grpc.TRANSPORT_ATTR_SSL_SESSION);
    Credentials credentials = Credentials.withLazyPeers(bearer(headers.get(AUTHORIZATION)),
        () -> peerCertificates(session), headers.get(CLUSTER_ID),
        peer(call.getAttributes().get(Grpc.TRANSPORT_ATTR_REMOTE_ADDR)));
    return Contexts.interceptCall(Context.current().withValue(CREDENTIALS, credentials), call,
        headers, next);
  }

  /**
   * The token of a Bearer header. "Bearer" with nothing after it is an empty token, and any
   * other scheme is passed through whole, so the authenticator refuses either by name.
   */
  static Optional<String> bearer(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String h = header.trim();
    if (h.toLowerCase(Locale.ROOT).equals("bearer")) {
      return Optional.of("");
    }
    if (h.length() > 7 && h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      return Optional.of(h.substring(7).trim());
    }
    return Optional.of(h);
  }

  /**
   * Whom the per-peer limits count a call against: its IPv4 address, or the /64 of an IPv6
   * address (one host usually holds a whole /64); empty when the transport says nothing.
   */
  static String peer(SocketAddress remote) {
    if (!(remote instanceof InetSocketAddress inet) || inet.getAddress() == null) {
      return "";
    }
    InetAddress address = inet.getAddress();
    if (address instanceof Inet6Address) {
      byte[] b = address.getAddress();
      StringBuilder prefix = new StringBuilder();
      for (int i = 0; i < 8; i += 2) {
        prefix.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
      }
      return prefix.append(":/64").toString();
    }
    return address.getHostAddress();
  }

  private static List<X509Certificate> peerCertificates(SSLSession session) {
    if (session == null) {
      return List.of();
    }
    try {
      List<X509Certificate> out = new ArrayList<>();
      for (Certificate c : session.getPeerCertificates()) {
        if (c instanceof X509Certificate x) {
          out.add(x);
        }
      }
      return out;
    } catch (SSLPeerUnverifiedException e) {
      return List.of();
    }
  }
}
