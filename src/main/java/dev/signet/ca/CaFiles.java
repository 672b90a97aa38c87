package dev.signet.ca;

import dev.signet.crypto.CryptoProvider;
import dev.signet.pki.Pem;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.CertPathValidator;
import java.security.cert.CertPathValidatorException;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Date;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.openssl.PEMException;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;

/**
 * Reads and checks Istio's plug-in CA layout: {@code ca-cert.pem} (the signing certificate),
 * {@code ca-key.pem} (its key: PKCS#8, SEC1 or PKCS#1, unencrypted), {@code cert-chain.pem} (the
 * signing certificate and what is above it) and {@code root-cert.pem} (the trust anchors).
 *
 * <p>A set is accepted only if the key matches the certificate, the certificate may sign
 * certificates and is within its validity, and the chain validates up to one of the roots.
 */
public final class CaFiles {
  public static final String CA_CERT = "ca-cert.pem";
  public static final String CA_KEY = "ca-key.pem";
  public static final String CERT_CHAIN = "cert-chain.pem";
  public static final String ROOT_CERT = "root-cert.pem";
  static final List<String> ALL = List.of(CA_CERT, CA_KEY, CERT_CHAIN, ROOT_CERT);

  private CaFiles() {}

  /** Thrown when a file set is unusable; the message names the file and the problem. */
  public static final class InvalidCaException extends Exception {
    private static final long serialVersionUID = 1L;

    InvalidCaException(String message) {
      super(message);
    }
  }

  /** Loads and checks the files in {@code dir}. */
  public static SigningAuthority load(Path dir, CryptoProvider crypto) throws InvalidCaException {
    X509Certificate caCert = single(dir, CA_CERT);
    PrivateKey key = privateKey(dir.resolve(CA_KEY));
    List<X509Certificate> roots = certificates(dir, ROOT_CERT, true);
    List<X509Certificate> chain = certificates(dir, CERT_CHAIN, false);
    List<X509Certificate> intermediates = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (!c.equals(caCert) && !SigningAuthority.isSelfSigned(c)) {
        intermediates.add(c);
      }
    }
    checkSigningCertificate(caCert);
    checkKeyMatches(caCert, key, crypto);
    checkChain(caCert, intermediates, roots);
    return new SigningAuthority(caCert, new LocalKeySigner(key, caCert.getPublicKey(), crypto),
        intermediates, roots);
  }

  /** The bytes of every file of the layout, for change detection; absent files read as empty. */
  static byte[][] snapshot(Path dir) throws IOException {
    byte[][] out = new byte[ALL.size()][];
    for (int i = 0; i < ALL.size(); i++) {
      try {
        out[i] = Files.readAllBytes(dir.resolve(ALL.get(i)));
      } catch (NoSuchFileException e) {
        out[i] = new byte[0];
      }
    }
    return out;
  }

  private static X509Certificate single(Path dir, String name) throws InvalidCaException {
    List<X509Certificate> certs = certificates(dir, name, true);
    if (certs.size() != 1) {
      throw new InvalidCaException(name + " must hold exactly one certificate, found "
          + certs.size());
    }
    return certs.get(0);
  }

  private static List<X509Certificate> certificates(Path dir, String name, boolean required)
      throws InvalidCaException {
    Path file = dir.resolve(name);
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      if (required) {
        throw new InvalidCaException(name + " is missing from " + dir);
      }
      return List.of();
    } catch (IOException e) {
      throw new InvalidCaException("cannot read " + file + ": " + e.getMessage());
    }
    try {
      List<X509Certificate> certs = Pem.certificates(text);
      if (required && certs.isEmpty()) {
        throw new InvalidCaException(name + " holds no PEM CERTIFICATE block");
      }
      return certs;
    } catch (CertificateException | IllegalArgumentException e) {
      throw new InvalidCaException(name + " holds a certificate that does not parse");
    }
  }

  private static PrivateKey privateKey(Path file) throws InvalidCaException {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.US_ASCII);
    } catch (NoSuchFileException e) {
      throw new InvalidCaException(CA_KEY + " is missing from " + file.getParent());
    } catch (IOException e) {
      throw new InvalidCaException("cannot read " + file + ": " + e.getMessage());
    }
    // Never put key text or parser detail into a message: it may quote the key.
    try (PEMParser parser = new PEMParser(new StringReader(text))) {
      Object o = parser.readObject();
      JcaPEMKeyConverter converter =
          new JcaPEMKeyConverter().setProvider(CryptoProvider.bouncyCastle());
      if (o instanceof PEMKeyPair pair) {
        return converter.getPrivateKey(pair.getPrivateKeyInfo());
      }
      if (o instanceof PrivateKeyInfo info) {
        return converter.getPrivateKey(info);
      }
      throw new InvalidCaException(CA_KEY + " must hold one unencrypted private key (PKCS#8 "
          + "'PRIVATE KEY', 'EC PRIVATE KEY' or 'RSA PRIVATE KEY')");
    } catch (PEMException e) {
      throw new InvalidCaException(CA_KEY + " holds a private key that does not parse");
    } catch (IOException e) {
      throw new InvalidCaException(CA_KEY + " is not valid PEM");
    }
  }

  private static void checkSigningCertificate(X509Certificate c) throws InvalidCaException {
    if (c.getBasicConstraints() < 0) {
      throw new InvalidCaException(CA_CERT + " is not a CA certificate (BasicConstraints CA "
          + "is not true)");
    }
    boolean[] ku = c.getKeyUsage();
    if (ku != null && (ku.length < 6 || !ku[5])) {
      throw new InvalidCaException(CA_CERT + " has a KeyUsage without keyCertSign");
    }
    try {
      c.checkValidity();
    } catch (CertificateException e) {
      throw new InvalidCaException(CA_CERT + " is not valid now: it is valid from "
          + c.getNotBefore().toInstant() + " to " + c.getNotAfter().toInstant());
    }
    try {
      SigningAuthority.signatureAlgorithm(c.getPublicKey());
    } catch (IllegalArgumentException e) {
      throw new InvalidCaException(CA_CERT + ": " + e.getMessage());
    }
  }

  private static void checkKeyMatches(X509Certificate cert, PrivateKey key, CryptoProvider crypto)
      throws InvalidCaException {
    String algorithm = SigningAuthority.signatureAlgorithm(cert.getPublicKey());
    byte[] probe = "signet key check".getBytes(StandardCharsets.US_ASCII);
    try {
      Signature s = crypto.signature(algorithm);
      s.initSign(key);
      s.update(probe);
      byte[] sig = s.sign();
      Signature v = crypto.signature(algorithm);
      v.initVerify(cert.getPublicKey());
      v.update(probe);
      if (!v.verify(sig)) {
        throw new InvalidCaException(CA_KEY + " does not belong to the certificate in "
            + CA_CERT);
      }
    } catch (GeneralSecurityException e) {
      throw new InvalidCaException(CA_KEY + " does not belong to the certificate in " + CA_CERT
          + " (" + e.getClass().getSimpleName() + ")");
    }
  }

  private static void checkChain(X509Certificate caCert, List<X509Certificate> intermediates,
      List<X509Certificate> roots) throws InvalidCaException {
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate r : roots) {
      if (r.equals(caCert)) {
        return; // the signing certificate is itself one of the roots
      }
      anchors.add(new TrustAnchor(r, null));
    }
    List<X509Certificate> path = new ArrayList<>();
    path.add(caCert);
    path.addAll(intermediates);
    try {
      PKIXParameters params = new PKIXParameters(anchors);
      params.setRevocationEnabled(false);
      params.setDate(new Date());
      CertPathValidator.getInstance("PKIX").validate(
          CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    } catch (CertPathValidatorException e) {
      throw new InvalidCaException(CA_CERT + " does not chain to " + ROOT_CERT + " through "
          + CERT_CHAIN + ": " + e.getMessage());
    } catch (GeneralSecurityException e) {
      throw new InvalidCaException("cannot validate the CA chain: " + e.getMessage());
    }
  }
}
