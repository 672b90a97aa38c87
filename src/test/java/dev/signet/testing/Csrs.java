package dev.signet.testing;

import dev.signet.pki.Pem;
import java.io.IOException;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.List;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * CSRs outside Signet's policy, for refusal tests: start from Istio's shape ({@code O=""},
 * one critical URI SAN, ECDSA P-256, SHA-256) and change one thing.
 */
public final class Csrs {
  private final List<GeneralName> names = new ArrayList<>();
  private final List<Extension> extra = new ArrayList<>();
  private KeyPair keys = keyPair("EC", "secp256r1", 0);
  private String subject = "O=";
  private String signatureAlgorithm;
  private boolean extensionRequest = true;
  private boolean tamper;

  private Csrs(String uri) {
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
  }

  /** Istio's shape for {@code uri}; change one thing, then {@link #pem()}. */
  public static Csrs forUri(String uri) {
    return new Csrs(uri);
  }

  public Csrs subject(String x500) {
    this.subject = x500;
    return this;
  }

  public Csrs alsoUri(String uri) {
    names.add(new GeneralName(GeneralName.uniformResourceIdentifier, uri));
    return this;
  }

  public Csrs alsoDns(String dns) {
    names.add(new GeneralName(GeneralName.dNSName, dns));
    return this;
  }

  public Csrs alsoIp(String ip) {
    names.add(new GeneralName(GeneralName.iPAddress, ip));
    return this;
  }

  public Csrs alsoEmail(String email) {
    names.add(new GeneralName(GeneralName.rfc822Name, email));
    return this;
  }

  /** Adds a non-critical extension {@code oid} whose value is a DER NULL. */
  public Csrs alsoExtension(String oid) {
    extra.add(new Extension(new org.bouncycastle.asn1.ASN1ObjectIdentifier(oid), false,
        new byte[] {0x05, 0x00}));
    return this;
  }

  /** Adds a BasicConstraints CA=true extension: a CSR asking to be a CA. */
  public Csrs askingToBeACa() {
    try {
      extra.add(new Extension(Extension.basicConstraints, true,
          new BasicConstraints(true).getEncoded(ASN1Encoding.DER)));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return this;
  }

  public Csrs withoutExtensions() {
    this.extensionRequest = false;
    return this;
  }

  public Csrs rsa(int bits) {
    this.keys = keyPair("RSA", null, bits);
    return this;
  }

  public Csrs ecCurve(String curve) {
    this.keys = keyPair("EC", curve, 0);
    return this;
  }

  public Csrs signedWith(String algorithm) {
    this.signatureAlgorithm = algorithm;
    return this;
  }

  /** Flips a bit of the signature, so it no longer verifies. */
  public Csrs tamperedSignature() {
    this.tamper = true;
    return this;
  }

  public String pem() {
    try {
      PKCS10CertificationRequestBuilder b =
          new JcaPKCS10CertificationRequestBuilder(new X500Name(subject), keys.getPublic());
      if (extensionRequest) {
        ExtensionsGenerator ext = new ExtensionsGenerator();
        ext.addExtension(Extension.subjectAlternativeName, true,
            new GeneralNames(names.toArray(new GeneralName[0])));
        for (Extension e : extra) {
          ext.addExtension(e);
        }
        b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
      }
      String alg = signatureAlgorithm != null ? signatureAlgorithm
          : keys.getPrivate().getAlgorithm().equals("RSA") ? "SHA256withRSA" : "SHA256withECDSA";
      byte[] der = b.build(new JcaContentSignerBuilder(alg).build(keys.getPrivate()))
          .toASN1Structure().getEncoded(ASN1Encoding.DER);
      if (tamper) {
        der[der.length - 1] ^= 1;
      }
      return Pem.encode("CERTIFICATE REQUEST", der);
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException("cannot build a CSR", e);
    }
  }

  private static KeyPair keyPair(String algorithm, String curve, int bits) {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (curve != null) {
        g.initialize(new ECGenParameterSpec(curve));
      } else {
        g.initialize(bits);
      }
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot generate a " + algorithm + " key", e);
    }
  }
}
