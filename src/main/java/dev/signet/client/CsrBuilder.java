package dev.signet.client;

import dev.signet.pki.Pem;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Writes CSRs the way Istio's agent does: a subject of one RDN {@code O=""} (ztunnel: empty), one
 * critical SubjectAltName extension holding the SPIFFE URI, signed SHA-256 with RSA or ECDSA.
 */
public final class CsrBuilder {
  private CsrBuilder() {}

  /** A new RSA-2048 key pair (istio-agent's default). */
  public static KeyPair rsa2048() {
    return generate("RSA", 2048);
  }

  /** A new ECDSA P-256 key pair (ECC_SIGNATURE_ALGORITHM=ECDSA, ztunnel). */
  public static KeyPair ecP256() {
    return generate("EC", 256);
  }

  /** A PEM CSR for {@code uri} with istio-agent's {@code O=""} subject. */
  public static String istioAgent(KeyPair keys, String uri) {
    X500Name subject = new X500NameBuilder(BCStyle.INSTANCE).addRDN(BCStyle.O, "").build();
    return build(keys, subject, uri);
  }

  /** A PEM CSR for {@code uri} with an empty subject, as ztunnel writes. */
  public static String ztunnel(KeyPair keys, String uri) {
    return build(keys, new X500Name(new org.bouncycastle.asn1.x500.RDN[0]), uri);
  }

  private static String build(KeyPair keys, X500Name subject, String uri) {
    try {
      ExtensionsGenerator ext = new ExtensionsGenerator();
      ext.addExtension(Extension.subjectAlternativeName, true,
          new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, uri)));
      PKCS10CertificationRequestBuilder b =
          new JcaPKCS10CertificationRequestBuilder(subject, keys.getPublic())
              .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      String alg = keys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA"
          : "SHA256withECDSA";
      byte[] der = b.build(new JcaContentSignerBuilder(alg).build(keys.getPrivate()))
          .toASN1Structure().getEncoded(ASN1Encoding.DER);
      return Pem.encode("CERTIFICATE REQUEST", der);
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build a CSR", e);
    }
  }

  private static KeyPair generate(String algorithm, int size) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("EC")) {
        g.initialize(new ECGenParameterSpec("secp256r1"));
      } else {
        g.initialize(size);
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
  }
}
