package dev.signet.grpc;

import dev.signet.ca.CaSource;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * The server's TLS trust manager. It asks clients for a certificate (advertising this CA's roots)
 * but lets every handshake through: a client certificate is only a credential, checked by
 * {@link dev.signet.auth.ClientCertAuthenticator} against the CA current at request time, so a
 * workload with a stale certificate can still fall back to its token.
 */
final class ClientCertificateCollector extends X509ExtendedTrustManager {
  private final CaSource ca;

  ClientCertificateCollector(CaSource ca) {
    this.ca = ca;
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType) {
    // Deliberately accepting: see the class comment.
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
    // Deliberately accepting: see the class comment.
  }

  @Override
  public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
    // Deliberately accepting: see the class comment.
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType)
      throws CertificateException {
    throw new CertificateException("Signet's server does not verify servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket)
      throws CertificateException {
    throw new CertificateException("Signet's server does not verify servers");
  }

  @Override
  public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine)
      throws CertificateException {
    throw new CertificateException("Signet's server does not verify servers");
  }

  @Override
  public X509Certificate[] getAcceptedIssuers() {
    return ca.current().roots().toArray(new X509Certificate[0]);
  }
}
