package dev.signet.csr;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowable;

import dev.signet.client.CsrBuilder;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import dev.signet.pki.Der;
import dev.signet.pki.Pem;
import dev.signet.testing.Csrs;
import java.security.KeyPair;
import java.security.Signature;
import java.util.Arrays;
import java.util.Random;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.pkcs.CertificationRequest;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CSR parser reads DER in place; these tests hold it to Bouncy Castle's reading of the same
 * bytes, and to strict DER where Bouncy Castle is lenient.
 */
class CsrParserTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";
  private static final String NOT_PKCS10 = "the CSR is not a valid PKCS#10 structure";
  private static final KeyPair EC = CsrBuilder.ecP256();
  private static final KeyPair RSA = CsrBuilder.rsa2048();

  private final CsrParser parser =
      new CsrParser(CryptoProvider.select(ProviderChoice.AUTO));

  @ParameterizedTest
  @EnumSource(ProviderChoice.class)
  void istioShapedRequestsParseAsBouncyCastleReadsThem(ProviderChoice choice) throws Exception {
    CsrParser p = new CsrParser(CryptoProvider.select(choice));
    for (String pem : new String[] {CsrBuilder.istioAgent(RSA, ID), CsrBuilder.istioAgent(EC, ID),
        CsrBuilder.ztunnel(EC, ID)}) {
      CertificateRequest parsed = p.parse(pem);
      CertificationRequest bc = bouncyCastle(pem);
      assertThat(parsed.uri()).isEqualTo(ID);
      assertThat(parsed.publicKeyInfo()).isEqualTo(bc.getCertificationRequestInfo()
          .getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER));
    }
    assertThat(p.parse(CsrBuilder.istioAgent(RSA, ID)).keyType()).isEqualTo("RSA-2048");
    assertThat(p.parse(CsrBuilder.istioAgent(EC, ID)).keyType()).isEqualTo("EC-P256");
    assertThat(p.parse(Csrs.forUri(ID).ecCurve("secp384r1").pem()).keyType())
        .isEqualTo("EC-P384");
  }

  /**
   * Every single-byte change and every truncation of a valid CSR is either refused as an
   * invalid request or, if accepted, read exactly as Bouncy Castle reads it with a verifying
   * signature. No other exception may escape.
   */
  @Test
  void everyMutationIsRefusedCleanlyOrReadAsBouncyCastleReadsIt() throws Exception {
    byte[] der = der(CsrBuilder.istioAgent(EC, ID));
    Random random = new Random(42);
    int accepted = 0;
    for (int i = 0; i < der.length; i++) {
      for (int v : new int[] {der[i] ^ 0x01, der[i] ^ 0x80, 0x00, 0xFF, random.nextInt(256)}) {
        byte[] mutated = der.clone();
        mutated[i] = (byte) v;
        accepted += checkAgainstBouncyCastle(mutated);
      }
      accepted += checkAgainstBouncyCastle(Arrays.copyOf(der, i));
    }
    // Only mutations that change nothing are accepted (a byte set to the value it had).
    assertThat(accepted).isLessThanOrEqualTo(2 * der.length);
    assertThat(accepted).isPositive();
  }

  private int checkAgainstBouncyCastle(byte[] der) throws Exception {
    String pem = Pem.encode("CERTIFICATE REQUEST", der);
    Throwable t = catchThrowable(() -> parser.parse(pem));
    if (t != null) {
      assertThat(t).isInstanceOf(SignetException.class);
      assertThat(((SignetException) t).kind()).isEqualTo(SignetException.Kind.INVALID_REQUEST);
      return 0;
    }
    CertificateRequest parsed = parser.parse(pem);
    PKCS10CertificationRequest bc = new PKCS10CertificationRequest(der);
    assertThat(bc.isSignatureValid(new JcaContentVerifierProviderBuilder()
        .setProvider(CryptoProvider.bouncyCastle())
        .build(bc.getSubjectPublicKeyInfo()))).isTrue();
    assertThat(bc.getEncoded()).isEqualTo(der);
    GeneralName[] names = GeneralNames.fromExtensions(bc.getRequestedExtensions(),
        Extension.subjectAlternativeName).getNames();
    assertThat(names).hasSize(1);
    assertThat(parsed.uri()).isEqualTo(names[0].getName().toString());
    return 1;
  }

  @Test
  void nonMinimalLengthsAreRefused() {
    byte[] der = der(CsrBuilder.istioAgent(EC, ID));
    // The outer SEQUENCE's length, 0x8n followed by n octets, re-written with one octet more.
    int octets = der[1] & 0x7F;
    assertThat(der[1] & 0x80).isEqualTo(0x80);
    byte[] longForm = new byte[der.length + 1];
    longForm[0] = der[0];
    longForm[1] = (byte) (0x80 | (octets + 1));
    longForm[2] = 0;
    System.arraycopy(der, 2, longForm, 3, der.length - 2);
    assertThat(bouncyCastleAccepts(longForm)).isTrue(); // BER: Bouncy Castle takes it
    assertRefused(longForm, NOT_PKCS10);
  }

  @Test
  void trailingBytesAreRefused() {
    byte[] der = der(CsrBuilder.istioAgent(EC, ID));
    assertRefused(Arrays.copyOf(der, der.length + 2), NOT_PKCS10);
  }

  @Test
  void aSignedIndefiniteLengthRequestInfoIsRefused() throws Exception {
    byte[] tbs = requestInfo(CsrBuilder.istioAgent(EC, ID));
    byte[] ber = new byte[tbs.length - headerLength(tbs) + 4];
    ber[0] = 0x30;
    ber[1] = (byte) 0x80;
    System.arraycopy(tbs, headerLength(tbs), ber, 2, tbs.length - headerLength(tbs));
    assertRefused(signed(ber), NOT_PKCS10);
  }

  @Test
  void aVersionOtherThanOneIsRefused() throws Exception {
    byte[] tbs = requestInfo(CsrBuilder.istioAgent(EC, ID));
    int v = headerLength(tbs);
    assertThat(Arrays.copyOfRange(tbs, v, v + 3)).containsExactly(0x02, 0x01, 0x00);
    tbs[v + 2] = 1;
    assertRefused(signed(tbs), NOT_PKCS10);
  }

  @Test
  void theSignedRequestInfoIsReadAsSignedNotReencoded() throws Exception {
    byte[] tbs = requestInfo(CsrBuilder.istioAgent(EC, ID));
    assertThat(parser.parse(Pem.encode("CERTIFICATE REQUEST", signed(tbs))).uri()).isEqualTo(ID);
  }

  @Test
  void anRsaKeyWithExponentOneIsRefused() throws Exception {
    // SubjectPublicKeyInfo for RSA with e = 1 behind a valid-looking modulus.
    byte[] modulus = new byte[257];
    modulus[1] = (byte) 0xC3;
    modulus[256] = 1;
    byte[] rsaKey = Der.sequence(Der.integer(modulus), Der.integer(new byte[] {1}));
    byte[] spki = Der.sequence(Der.sequence(Der.oid("1.2.840.113549.1.1.1"),
        new byte[] {0x05, 0x00}), Der.bitString(rsaKey));
    byte[] tbs = requestInfo(CsrBuilder.istioAgent(EC, ID));
    byte[] original = bouncyCastle(CsrBuilder.istioAgent(EC, ID)).getCertificationRequestInfo()
        .getSubjectPublicKeyInfo().getEncoded(ASN1Encoding.DER);
    byte[] swapped = replace(tbs, original, spki);
    assertRefused(signed(swapped), "RSA public exponent is not valid");
  }

  @Test
  void refusalsNameWhatToChange() {
    assertThatThrownBy(() -> parser.parse(Csrs.forUri(ID).subject("CN=cart,O=shop").pem()))
        .hasMessageContaining("it has CN");
    assertThatThrownBy(() -> parser.parse(Csrs.forUri(ID).subject("OU=x").pem()))
        .hasMessageContaining("it has OU");
    assertThatThrownBy(() -> parser.parse(Csrs.forUri(ID).askingToBeACa().pem()))
        .hasMessageContaining("carries extension 2.5.29.19");
    assertThatThrownBy(() -> parser.parse(Csrs.forUri(ID).signedWith("SHA1withECDSA").pem()))
        .hasMessageContaining("(1.2.840.10045.4.1) is not allowed");
    assertThatThrownBy(() -> parser.parse(Csrs.forUri(ID).alsoUri(ID).pem()))
        .hasMessageContaining("more than one URI SAN");
    assertThat(parser.parse(Csrs.forUri(ID).subject("O=shop").pem()).uri()).isEqualTo(ID);
  }

  @Test
  void aRefusalNeverEchoesKilobytesOfTheRequest() {
    String huge = "1.2." + "1234567.".repeat(800) + "1";
    assertThatThrownBy(() -> parser.parse(Csrs.forUri(ID).alsoExtension(huge).pem()))
        .isInstanceOf(SignetException.class)
        .hasMessageContaining("carries extension 1.2.1234567")
        .satisfies(e -> assertThat(e.getMessage()).hasSizeLessThan(300));
  }

  private void assertRefused(byte[] der, String message) {
    assertThatThrownBy(() -> parser.parse(Pem.encode("CERTIFICATE REQUEST", der)))
        .isInstanceOfSatisfying(SignetException.class,
            e -> assertThat(e.kind()).isEqualTo(SignetException.Kind.INVALID_REQUEST))
        .hasMessageContaining(message);
  }

  /** A CSR around {@code tbs}, signed by {@link #EC} whatever the bytes are. */
  private static byte[] signed(byte[] tbs) throws Exception {
    Signature s = Signature.getInstance("SHA256withECDSA");
    s.initSign(EC.getPrivate());
    s.update(tbs);
    return Der.sequence(tbs, Der.sequence(Der.oid("1.2.840.10045.4.3.2")),
        Der.bitString(s.sign()));
  }

  private static byte[] requestInfo(String pem) throws Exception {
    return bouncyCastle(pem).getCertificationRequestInfo().getEncoded(ASN1Encoding.DER);
  }

  private static int headerLength(byte[] tlv) {
    return (tlv[1] & 0x80) == 0 ? 2 : 2 + (tlv[1] & 0x7F);
  }

  /** {@code tbs} with {@code from} replaced and the outer length re-encoded. */
  private static byte[] replace(byte[] tbs, byte[] from, byte[] to) {
    int at = indexOf(tbs, from);
    assertThat(at).isPositive();
    int h = headerLength(tbs);
    byte[] before = Arrays.copyOfRange(tbs, h, at);
    byte[] after = Arrays.copyOfRange(tbs, at + from.length, tbs.length);
    return Der.sequence(before, to, after);
  }

  private static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }

  private static boolean bouncyCastleAccepts(byte[] der) {
    try {
      CertificationRequest.getInstance(der);
      return true;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static CertificationRequest bouncyCastle(String pem) {
    return CertificationRequest.getInstance(der(pem));
  }

  private static byte[] der(String pem) {
    return Pem.decodeAll(pem).get(0).der();
  }

  /** RFC 3279 2.3.1: rsaEncryption's parameters are NULL; the key goes into the certificate. */
  @Test
  void rsaKeyWithoutNullParametersIsRefused() throws Exception {
    org.bouncycastle.asn1.x509.SubjectPublicKeyInfo real =
        org.bouncycastle.asn1.x509.SubjectPublicKeyInfo.getInstance(RSA.getPublic().getEncoded());
    byte[] noNull = new org.bouncycastle.asn1.x509.SubjectPublicKeyInfo(
        new org.bouncycastle.asn1.x509.AlgorithmIdentifier(
            org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers.rsaEncryption),
        real.getPublicKeyData().getBytes()).getEncoded(ASN1Encoding.DER);
    byte[] san = Der.sequence(Der.sequence(Der.oid("2.5.29.17"), Der.booleanTrue(),
        Der.tlv(Der.OCTET_STRING, new GeneralNames(new GeneralName(
            GeneralName.uniformResourceIdentifier, ID)).getEncoded(ASN1Encoding.DER))));
    byte[] info = Der.sequence(Der.integer(new byte[] {0}), Der.sequence(), noNull,
        Der.tlv(0xA0, Der.sequence(Der.oid("1.2.840.113549.1.9.14"), Der.tlv(0x31, san))));
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(RSA.getPrivate());
    s.update(info);
    byte[] csr = Der.sequence(info, Der.sequence(Der.oid("1.2.840.113549.1.1.11"),
        new byte[] {0x05, 0x00}), Der.bitString(s.sign()));
    assertThatThrownBy(() -> parser.parse(Pem.encode("CERTIFICATE REQUEST", csr)))
        .isInstanceOf(SignetException.class)
        .hasMessageContaining("no NULL parameters");
    // The same request with the NULL is accepted: only the parameters differ.
    byte[] info2 = Der.sequence(Der.integer(new byte[] {0}), Der.sequence(),
        real.getEncoded(ASN1Encoding.DER),
        Der.tlv(0xA0, Der.sequence(Der.oid("1.2.840.113549.1.9.14"), Der.tlv(0x31, san))));
    s.initSign(RSA.getPrivate());
    s.update(info2);
    byte[] csr2 = Der.sequence(info2, Der.sequence(Der.oid("1.2.840.113549.1.1.11"),
        new byte[] {0x05, 0x00}), Der.bitString(s.sign()));
    assertThat(parser.parse(Pem.encode("CERTIFICATE REQUEST", csr2)).keyType())
        .isEqualTo("RSA-2048");
  }
}
