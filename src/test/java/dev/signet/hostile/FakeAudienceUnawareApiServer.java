package dev.signet.hostile;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.signet.testing.KubeTestCluster;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.client.utils.Serialization;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * A TokenReview endpoint that is not audience-aware, which a real kube-apiserver cannot be made
 * into: a plain-HTTP proxy on 127.0.0.1 in front of the real API server that passes every
 * request through, except that in {@link Mode#DROP_REQUESTED_AUDIENCES} it removes
 * {@code spec.audiences} from a TokenReview (the real API server then reviews for its own
 * audience and says so), and in {@link Mode#DROP_ANSWERED_AUDIENCES} it removes
 * {@code status.audiences} from the answer.
 */
final class FakeAudienceUnawareApiServer implements AutoCloseable {
  enum Mode { PASS_THROUGH, DROP_REQUESTED_AUDIENCES, DROP_ANSWERED_AUDIENCES }

  private final HttpServer server;
  private final HttpClient upstream;
  private final String target;
  volatile Mode mode = Mode.PASS_THROUGH;

  FakeAudienceUnawareApiServer(KubeTestCluster real) throws Exception {
    this.target = real.url();
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (X509Certificate c : real.caCertificates()) {
      trust.setCertificateEntry("apiserver-" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    this.upstream = HttpClient.newBuilder().sslContext(tls).build();
    this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
    server.createContext("/", this::forward);
    server.start();
  }

  /** The proxy's URL, for a kubeconfig. */
  String url() {
    return "http://127.0.0.1:" + server.getAddress().getPort();
  }

  private void forward(HttpExchange exchange) throws IOException {
    try (exchange) {
      byte[] body;
      try (InputStream in = exchange.getRequestBody()) {
        body = in.readAllBytes();
      }
      boolean review = exchange.getRequestURI().getPath().endsWith("/tokenreviews");
      if (review && mode == Mode.DROP_REQUESTED_AUDIENCES) {
        TokenReview r = Serialization.unmarshal(new String(body, StandardCharsets.UTF_8),
            TokenReview.class);
        r.getSpec().setAudiences(List.of());
        body = Serialization.asJson(r).getBytes(StandardCharsets.UTF_8);
      }
      HttpRequest.Builder request = HttpRequest.newBuilder(
          URI.create(target + exchange.getRequestURI()))
          .method(exchange.getRequestMethod(), HttpRequest.BodyPublishers.ofByteArray(body));
      for (String h : List.of("Authorization", "Content-Type", "Accept")) {
        String v = exchange.getRequestHeaders().getFirst(h);
        if (v != null) {
          request.header(h, v);
        }
      }
      HttpResponse<byte[]> answer = upstream.send(request.build(),
          HttpResponse.BodyHandlers.ofByteArray());
      byte[] out = answer.body();
      if (review && mode == Mode.DROP_ANSWERED_AUDIENCES && answer.statusCode() < 300) {
        TokenReview r = Serialization.unmarshal(new String(out, StandardCharsets.UTF_8),
            TokenReview.class);
        r.getStatus().setAudiences(List.of());
        out = Serialization.asJson(r).getBytes(StandardCharsets.UTF_8);
      }
      answer.headers().firstValue("Content-Type")
          .ifPresent(v -> exchange.getResponseHeaders().set("Content-Type", v));
      exchange.sendResponseHeaders(answer.statusCode(), out.length == 0 ? -1 : out.length);
      if (out.length > 0) {
        try (OutputStream o = exchange.getResponseBody()) {
          o.write(out);
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(e);
    } catch (Exception e) {
      throw new IOException("proxying " + exchange.getRequestURI() + " failed", e);
    }
  }

  @Override
  public void close() {
    server.stop(0);
  }
}
