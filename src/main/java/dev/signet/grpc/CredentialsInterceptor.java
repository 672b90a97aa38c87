package dev.signet.grpc;

import dev.signet.auth.Credentials;
import io.grpc.Context;
import io.grpc.Contexts;
import io.grpc.Grpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
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
 * ClusterID) into the call's {@link Context}. Deciding what they prove is the authenticator's
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
        () -> peerCertificates(session), headers.get(CLUSTER_ID));
    return Contexts.interceptCall(Context.current().withValue(CREDENTIALS, credentials), call,
        headers, next);
  }

  private static Optional<String> bearer(String header) {
    if (header == null) {
      return Optional.empty();
    }
    String h = header.trim();
    if (h.length() > 7 && h.substring(0, 7).toLowerCase(Locale.ROOT).equals("bearer ")) {
      String token = h.substring(7).trim();
      return token.isEmpty() ? Optional.empty() : Optional.of(token);
    }
    // A non-bearer scheme is passed through as a token so the authenticator rejects it by name.
    return Optional.of(h);
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
