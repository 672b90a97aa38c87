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

    public InvalidCaException(String message) {
      super(message);
    }
  }

  /** Loads and checks the files in {@code dir}. */
  public static SigningAuthority load(Path dir, CryptoProvider crypto) throws InvalidCaException {
    return load(Texts.read(dir), crypto);
  }

  /**
   * The four PEM texts of the layout, wherever they were read from (files, a Vault KV secret).
   * A null text is a missing file; {@code origin} names the place in messages.
   */
  public record Texts(String origin, String caCert, String caKey, String certChain,
      String rootCert) {
    @Override
    public String toString() {
      return "CaFiles.Texts[" + origin + "]"; // never the key
    }

    /** Reads the layout from a directory; a missing file is a null text. */
    public static Texts read(Path dir) throws InvalidCaException {
      return new Texts(dir.toString(), text(dir, CA_CERT), text(dir, CA_KEY),
          text(dir, CERT_CHAIN), text(dir, ROOT_CERT));
    }

    private static String text(Path dir, String name) throws InvalidCaException {
      Path file = dir.resolve(name);
      try {
        return Files.readString(file, StandardCharsets.US_ASCII);
      } catch (NoSuchFileException e) {
        return null;
      } catch (IOException e) {
        throw new InvalidCaException("cannot read " + file + ": " + e.getMessage());
      }
    }
  }

  /** Checks the texts of a layout and builds the authority, signing with a local key. */
  public static SigningAuthority load(Texts texts, CryptoProvider crypto)
      throws InvalidCaException {
    X509Certificate caCert = single(texts, CA_CERT, texts.caCert());
    PrivateKey key;
    try {
      key = crypto.adopt(privateKey(texts));
    } catch (java.security.GeneralSecurityException e) {
      throw new InvalidCaException(CA_KEY + " holds a key that " + crypto.describe()
          + " cannot use");
    }
    return assemble(texts, caCert, () -> checkKeyMatches(caCert, key, crypto),
        () -> new LocalKeySigner(key, caCert.getPublicKey(), crypto));
  }

  /**
   * Checks a layout without a private key (the key is held elsewhere, e.g. Vault Transit) and
   * builds the authority around {@code signer}, which must sign for the certificate's key.
   */
  public static SigningAuthority loadWithSigner(Texts texts, Signer signer,
      java.security.PublicKey signerKey) throws InvalidCaException {
    X509Certificate caCert = single(texts, CA_CERT, texts.caCert());
    return assemble(texts, caCert, () -> {
      if (!java.util.Arrays.equals(caCert.getPublicKey().getEncoded(), signerKey.getEncoded())) {
        throw new InvalidCaException(CA_CERT + " from " + texts.origin() + " is not for the "
            + "signing key's public key");
      }
    }, () -> signer);
  }

  /** The public key of the layout's ca-cert.pem (to find the remote key that signs for it). */
  public static java.security.PublicKey certificateKey(Texts texts) throws InvalidCaException {
    return single(texts, CA_CERT, texts.caCert()).getPublicKey();
  }

  private interface Check {
    void run() throws InvalidCaException;
  }

  private static SigningAuthority assemble(Texts texts, X509Certificate caCert, Check keyCheck,
      java.util.function.Supplier<Signer> signer) throws InvalidCaException {
    List<X509Certificate> roots = certificates(texts, ROOT_CERT, texts.rootCert(), true);
    List<X509Certificate> chain = certificates(texts, CERT_CHAIN, texts.certChain(), false);
    List<X509Certificate> intermediates = new ArrayList<>();
    for (X509Certificate c : chain) {
      if (!c.equals(caCert) && !SigningAuthority.isSelfSigned(c)) {
        intermediates.add(c);
      }
    }
    checkSigningCertificate(caCert);
    keyCheck.run();
    checkChain(caCert, intermediates, roots);
    return new SigningAuthority(caCert, signer.get(), intermediates, roots);
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

  private static X509Certificate single(Texts texts, String name, String text)
      throws InvalidCaException {
    List<X509Certificate> certs = certificates(texts, name, text, true);
    if (certs.size() != 1) {
      throw new InvalidCaException(name + " must hold exactly one certificate, found "
          + certs.size());
    }
    return certs.get(0);
  }

  private static List<X509Certificate> certificates(Texts texts, String name, String text,
      boolean required) throws InvalidCaException {
    if (text == null) {
      if (required) {
        throw new InvalidCaException(name + " is missing from " + texts.origin());
      }
      return List.of();
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

  private static PrivateKey privateKey(Texts texts) throws InvalidCaException {
    String text = texts.caKey();
    if (text == null) {
      throw new InvalidCaException(CA_KEY + " is missing from " + texts.origin());
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
