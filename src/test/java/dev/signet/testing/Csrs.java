package dev.signet.testing;

import dev.signet.client.CsrBuilder;
import dev.signet.pki.Pem;
import java.io.IOException;
import java.security.KeyPair;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/** CSRs outside Signet's policy, for refusal tests. */
public final class Csrs {
  private Csrs() {}

  /** An ECDSA CSR with the URI and a DNS SAN. */
  public static String withDnsSan(String uri, String dns) {
    KeyPair keys = CsrBuilder.ecP256();
    try {
      ExtensionsGenerator ext = new ExtensionsGenerator();
      ext.addExtension(Extension.subjectAlternativeName, true, new GeneralNames(
          new GeneralName[] {new GeneralName(GeneralName.uniformResourceIdentifier, uri),
              new GeneralName(GeneralName.dNSName, dns)}));
      byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("O="),
          keys.getPublic())
          .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
          .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate()))
          .toASN1Structure().getEncoded(ASN1Encoding.DER);
      return Pem.encode("CERTIFICATE REQUEST", der);
    } catch (IOException | OperatorCreationException e) {
      throw new IllegalStateException(e);
    }
  }
}
