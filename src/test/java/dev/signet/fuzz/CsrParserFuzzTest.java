package dev.signet.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.csr.CertificateRequest;
import dev.signet.csr.CsrParser;
import dev.signet.error.SignetException;
import dev.signet.pki.Der;
import dev.signet.pki.Pem;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Timeout;

/**
 * The CSR parser on arbitrary input. It may only refuse with INVALID_REQUEST, must answer within
 * the timeout, and may be stricter than Bouncy Castle but never looser: whatever it accepts,
 * Bouncy Castle reads as a request with a verifying signature, the same public key, the same one
 * URI SAN, a subject of only O and no extension but SubjectAltName, KeyUsage and ExtKeyUsage.
 *
 * <p>Input: the first byte chooses how the rest is used, modulo 3. 0: the DER of a CSR, wrapped
 * in a PEM block. 1: PEM text (UTF-8). 2: the DER of a CertificationRequestInfo, signed here
 * with {@link #KEY} (ECDSA P-256, SHA-256), so that the fuzzer can change what is signed and
 * still reach the checks after the signature. Seeds are real CSRs ({@link Seeds}).
 */
class CsrParserFuzzTest {
  /** A key for fuzzing only: the request infos among the seeds carry its public half. */
  static final KeyPair KEY = keyPair(
      "MEECAQAwEwYHKoZIzj0CAQYIKoZIzj0DAQcEJzAlAgEBBCDvVCUg38fpgNO/+3Oc9Q+YP2oFaG1knlt+kCS0jnAYWQ==",
      "MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEcFGY7PKtcSrQbuImwh4XP8sB2SS9aysHavtO5HDRFLqtpvdqNU2Kla"
          + "NFWQo07V92zKZaniB5TtEkWgdOyUeu5w==");
  private static final byte[] ECDSA_WITH_SHA256 = Der.sequence(Der.oid("1.2.840.10045.4.3.2"));
  private static final Set<ASN1ObjectIdentifier> ALLOWED_EXTENSIONS = Set.of(
      Extension.subjectAlternativeName, Extension.keyUsage, Extension.extendedKeyUsage);

  private static final CryptoProvider CRYPTO = CryptoProvider.select(ProviderChoice.AUTO);
  private static final CsrParser PARSER = new CsrParser(CRYPTO);

  @FuzzTest
  @Timeout(10)
  void parsesOrRefusesAsInvalidRequest(byte[] input) throws Exception {
    FuzzInput in = FuzzInput.of(input);
    String pem = switch (in.mode() % 3) {
      case 0 -> Pem.encode("CERTIFICATE REQUEST", in.bytes());
      case 1 -> new String(in.bytes(), StandardCharsets.UTF_8);
      default -> Pem.encode("CERTIFICATE REQUEST", signed(in.bytes()));
    };
    CertificateRequest parsed;
    try {
      parsed = PARSER.parse(pem);
    } catch (SignetException e) {
      assertThat(e.kind()).as(e.getMessage()).isEqualTo(SignetException.Kind.INVALID_REQUEST);
      return;
    }
    // Accepted, so the text holds exactly one CERTIFICATE REQUEST block.
    PKCS10CertificationRequest bc = new PKCS10CertificationRequest(Pem.decodeAll(pem).get(0).der());
    assertThat(bc.isSignatureValid(new JcaContentVerifierProviderBuilder()
        .setProvider(CryptoProvider.bouncyCastle()).build(bc.getSubjectPublicKeyInfo())))
        .as("Bouncy Castle verifies the signature").isTrue();
    assertThat(parsed.publicKeyInfo())
        .isEqualTo(bc.getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER));
    for (RDN rdn : bc.getSubject().getRDNs()) {
      for (AttributeTypeAndValue atv : rdn.getTypesAndValues()) {
        assertThat(atv.getType()).isEqualTo(BCStyle.O);
      }
    }
    Extensions extensions = bc.getRequestedExtensions();
    assertThat(extensions).as("Bouncy Castle finds the requested extensions").isNotNull();
    assertThat(ALLOWED_EXTENSIONS).containsAll(List.of(extensions.getExtensionOIDs()));
    GeneralName[] names = GeneralNames.fromExtensions(extensions,
        Extension.subjectAlternativeName).getNames();
    assertThat(names).hasSize(1);
    assertThat(names[0].getTagNo()).isEqualTo(GeneralName.uniformResourceIdentifier);
    assertThat(parsed.uri()).isEqualTo(names[0].getName().toString());
  }

  /** A CSR of {@code requestInfo} as given, signed with {@link #KEY}. */
  private static byte[] signed(byte[] requestInfo) throws GeneralSecurityException {
    Signature s = CRYPTO.signature("SHA256withECDSA");
    s.initSign(KEY.getPrivate());
    s.update(requestInfo);
    return Der.sequence(requestInfo, ECDSA_WITH_SHA256, Der.bitString(s.sign()));
  }

  private static KeyPair keyPair(String pkcs8, String spki) {
    try {
      KeyFactory ec = KeyFactory.getInstance("EC");
      return new KeyPair(
          ec.generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(spki))),
          ec.generatePrivate(new PKCS8EncodedKeySpec(Base64.getDecoder().decode(pkcs8))));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot read the fuzzing key", e);
    }
  }
}
