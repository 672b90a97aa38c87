package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.signet.client.SignetClient;
import dev.signet.pki.Pem;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.RSAKeyGenParameterSpec;
import java.time.Duration;
import java.nio.file.Path;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 10: an RSA CSR's public exponent costs signature-check CPU in proportion to its
 * size, so only 65537 is accepted, and any other is refused before the signature is checked.
 */
class RsaExponentTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";

  @TempDir Path dir;

  @Test
  void rsaCsrsWithAnExponentOtherThan65537AreRefusedBeforeTheSignatureCheck() throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir, "crypto.provider=bouncycastle");
        SignetClient client = signet.client()) {
      String token = signet.token("shop", "cart");
      // 65537 is accepted: the check is the exponent, not RSA.
      assertThat(client.createCertificate(csr(keys(RSAKeyGenParameterSpec.F4), false),
          Duration.ofHours(1), token, Duration.ofSeconds(30))).isNotEmpty();
      // A small one and a large one (a Mersenne prime of 127 bits; the attack uses thousands).
      for (BigInteger e : new BigInteger[] {BigInteger.valueOf(3),
          BigInteger.TWO.pow(127).subtract(BigInteger.ONE)}) {
        KeyPair keys = keys(e);
        for (boolean tampered : new boolean[] {false, true}) {
          StatusRuntimeException refused = catchThrowableOfType(StatusRuntimeException.class,
              () -> client.createCertificate(csr(keys, tampered), Duration.ofHours(1), token,
                  Duration.ofSeconds(30)));
          assertThat(refused).as("e=%s tampered=%s is refused", e, tampered).isNotNull();
          assertThat(refused.getStatus().getCode()).isEqualTo(Status.Code.INVALID_ARGUMENT);
          // A tampered signature still gets the exponent's refusal: it was decided first.
          assertThat(refused.getStatus().getDescription())
              .isEqualTo("the CSR's RSA public exponent is not valid: it must be 65537");
        }
      }
    }
  }

  private static KeyPair keys(BigInteger exponent) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA", new BouncyCastleProvider());
    g.initialize(new RSAKeyGenParameterSpec(2048, exponent));
    return g.generateKeyPair();
  }

  private static String csr(KeyPair keys, boolean tamperedSignature) throws Exception {
    ExtensionsGenerator ext = new ExtensionsGenerator();
    ext.addExtension(Extension.subjectAlternativeName, true,
        new GeneralNames(new GeneralName(GeneralName.uniformResourceIdentifier, ID)));
    byte[] der = new JcaPKCS10CertificationRequestBuilder(new X500Name("O="), keys.getPublic())
        .addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate())
        .build(new JcaContentSignerBuilder("SHA256withRSA").build(keys.getPrivate()))
        .toASN1Structure().getEncoded(ASN1Encoding.DER);
    if (tamperedSignature) {
      der[der.length - 1] ^= 1;
    }
    return Pem.encode("CERTIFICATE REQUEST", der);
  }
}
