package dev.signet.lint;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.crypto.CryptoProvider;
import dev.signet.pki.CaCertificates;
import java.math.BigInteger;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManagerFactory;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** Helpers of the certificate lint tests: the verdict per shape, and certificates to lint. */
public final class Shapes {
  private static final String[] USAGES = {"digitalSignature", "nonRepudiation",
      "keyEncipherment", "dataEncipherment", "keyAgreement", "keyCertSign", "cRLSign",
      "encipherOnly", "decipherOnly"};

  private Shapes() {}

  /**
   * Lints {@code cert} (and its link to {@code issuer}), prints one summary line, and fails on
   * any RFC-level finding or X509-SVID violation.
   */
  public static void assertClean(CertLint lint, String shape, X509Certificate cert,
      X509Certificate issuer, List<String> svidViolations) throws Exception {
    CertLint.Result r = lint.lint(cert);
    List<String> problems = new ArrayList<>();
    r.failing().forEach(f -> problems.add(f.toString()));
    lint.lintLink(issuer, cert).forEach(f -> problems.add("link to issuer: " + f));
    svidViolations.forEach(v -> problems.add("X509-SVID: " + v));
    System.out.println("LINT " + shape + " | KU " + usages(cert) + " | failing "
        + problems.size() + " | waived " + r.waived().stream().map(CertLint.Finding::code)
        .toList() + " | web PKI only " + r.webPki().stream()
        .map(f -> f.code() + "(" + f.level() + ")").toList());
    assertThat(problems).as(shape).isEmpty();
  }

  /** The KeyUsage bits set, by name. */
  public static List<String> usages(X509Certificate c) {
    List<String> names = new ArrayList<>();
    boolean[] ku = c.getKeyUsage();
    for (int i = 0; ku != null && i < ku.length && i < USAGES.length; i++) {
      if (ku[i]) {
        names.add(USAGES[i]);
      }
    }
    return names;
  }

  /** The chain a TLS server presents, verified against {@code roots} for {@code host}. */
  public static List<X509Certificate> handshake(String host, int port,
      List<X509Certificate> roots) throws Exception {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    for (int i = 0; i < roots.size(); i++) {
      trust.setCertificateEntry("root-" + i, roots.get(i));
    }
    TrustManagerFactory tmf = TrustManagerFactory.getInstance(
        TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext tls = SSLContext.getInstance("TLS");
    tls.init(null, tmf.getTrustManagers(), null);
    try (SSLSocket socket = (SSLSocket) tls.getSocketFactory().createSocket(host, port)) {
      SSLParameters p = socket.getSSLParameters();
      p.setApplicationProtocols(new String[] {"h2"});
      p.setEndpointIdentificationAlgorithm("HTTPS");
      socket.setSSLParameters(p);
      socket.setSoTimeout(30_000);
      socket.startHandshake();
      List<X509Certificate> chain = new ArrayList<>();
      for (Certificate c : socket.getSession().getPeerCertificates()) {
        chain.add((X509Certificate) c);
      }
      return chain;
    }
  }

  /**
   * A P-256 leaf for {@code uri} with KeyUsage digitalSignature + keyEncipherment, the shape
   * Signet issued before issue 13, signed by {@code issuer}'s EC key (PKCS#8 DER).
   */
  public static X509Certificate ecLeafWithKeyEncipherment(X509Certificate issuer,
      byte[] issuerKeyPkcs8, String uri) throws Exception {
    KeyPair keys = CaCertificates.ecKeyPair("secp256r1");
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(
        X500Name.getInstance(issuer.getSubjectX500Principal().getEncoded()),
        BigInteger.valueOf(now.toEpochMilli()), Date.from(now.minusSeconds(120)),
        Date.from(now.plus(Duration.ofHours(1))), new X500Name(new RDN[0]), keys.getPublic());
    b.addExtension(Extension.keyUsage, true,
        new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.subjectAlternativeName, true,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
    var key = KeyFactory.getInstance("EC").generatePrivate(
        new PKCS8EncodedKeySpec(issuerKeyPkcs8));
    return new JcaX509CertificateConverter().getCertificate(b.build(
        new JcaContentSignerBuilder("SHA256withECDSA").setProvider(CryptoProvider.bouncyCastle())
            .build(key)));
  }
}
