package dev.signet.issue;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.ca.LocalKeySigner;
import dev.signet.ca.SigningAuthority;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.pki.CaCertificates;
import dev.signet.pki.ProofTime;
import java.io.ByteArrayInputStream;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.List;
import java.util.Random;
import java.util.Vector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.DERGeneralizedTime;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.Attribute;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectDirectoryAttributes;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.asn1.x509.Time;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;

/**
 * The hand-written leaf TBSCertificate ({@link LeafSigner}, {@code pki/Der}) is byte for byte
 * what Bouncy Castle's {@link X509v3CertificateBuilder} writes for the same inputs: random
 * serials (half with the top bit set, so the INTEGER needs a 0x00 sign byte, some with a zero
 * top byte), every leaf key type, CAs of every key type, validities on both sides of 2050
 * (UTCTime against GeneralizedTime), URIs up to 2 KiB (one-, two- and three-byte lengths),
 * DNS names, and the proof-time extension of a renewal.
 */
class LeafTbsDifferentialTest {
  private static final CryptoProvider CRYPTO = CryptoProvider.select(ProviderChoice.AUTO);
  private static final Instant EDGE = Instant.parse("2050-01-01T00:00:00Z");

  private record Ca(SigningAuthority authority, KeyPair keys, String jcaAlgorithm) {}

  @Test
  void leafTbsIsBouncyCastlesEncodingForRandomInputs() throws Exception {
    Random random = new Random(20261129);
    List<KeyPair> leafKeys = List.of(rsa(2048), rsa(3072), rsa(4096), ec("secp256r1"),
        ec("secp384r1"));
    List<Ca> cas = List.of(ca(ec("secp256r1")), ca(ec("secp384r1")), ca(rsa(2048)));
    LeafSigner signer = new LeafSigner();
    int withSignByte = 0;
    int generalized = 0;
    for (int i = 0; i < 600; i++) {
      KeyPair leaf = leafKeys.get(i % leafKeys.size());
      Ca ca = cas.get((i / leafKeys.size()) % cas.size());
      BigInteger serial = serial(random, i);
      Instant notBefore = notBefore(random, i);
      Instant notAfter = notBefore.plusSeconds(1 + random.nextInt(30 * 24 * 3600) * (i % 7 == 0
          ? 400L : 1L));
      SubjectAltNames names = names(random);
      Instant proof = random.nextBoolean() ? null : notBefore.minusSeconds(random.nextInt(86400));
      byte[] spki = leaf.getPublic().getEncoded();
      IssuedCertificate issued = signer.sign(ca.authority(), spki, names, notBefore, notAfter,
          proof == null ? null : ProofTime.extension(proof), serial);
      X509Certificate cert = parse(issued.der());
      cert.verify(ca.keys().getPublic());
      byte[] expected = reference(ca, serial, notBefore, notAfter, names, proof, spki);
      assertThat(cert.getTBSCertificate())
          .as("TBS #%d: serial %s, %s to %s, CA %s, leaf %s", i, serial.toString(16), notBefore,
              notAfter, ca.jcaAlgorithm(), leaf.getPublic().getAlgorithm())
          .isEqualTo(expected);
      withSignByte += serial.testBit(serial.bitLength() - 1) && serial.bitLength() % 8 == 0
          ? 1 : 0;
      generalized += notAfter.isBefore(EDGE) ? 0 : 1;
    }
    // The inputs reached the cases they are for.
    assertThat(withSignByte).isGreaterThan(100);
    assertThat(generalized).isGreaterThan(50);
  }

  /** The same certificate built with Bouncy Castle, its TBSCertificate DER. */
  private static byte[] reference(Ca ca, BigInteger serial, Instant notBefore, Instant notAfter,
      SubjectAltNames names, Instant proof, byte[] spki) throws Exception {
    X509v3CertificateBuilder b = new X509v3CertificateBuilder(
        X500Name.getInstance(ca.authority().certificate().getSubjectX500Principal().getEncoded()),
        serial, new Time(Date.from(notBefore)), new Time(Date.from(notAfter)),
        new X500Name(new RDN[0]), SubjectPublicKeyInfo.getInstance(spki));
    boolean rsa = SubjectPublicKeyInfo.getInstance(spki).getAlgorithm().getAlgorithm()
        .getId().equals("1.2.840.113549.1.1.1");
    b.addExtension(Extension.keyUsage, true, new KeyUsage(rsa
        ? KeyUsage.digitalSignature | KeyUsage.keyEncipherment : KeyUsage.digitalSignature));
    b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(
        new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth}));
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
    b.addExtension(Extension.subjectKeyIdentifier, false, new JcaX509ExtensionUtils()
        .createSubjectKeyIdentifier(SubjectPublicKeyInfo.getInstance(spki)));
    b.addExtension(Extension.authorityKeyIdentifier, false,
        new AuthorityKeyIdentifier(ca.authority().keyIdentifier()));
    List<GeneralName> general = new ArrayList<>();
    names.uris().forEach(u -> general.add(new GeneralName(GeneralName.uniformResourceIdentifier,
        u)));
    names.dnsNames().forEach(d -> general.add(new GeneralName(GeneralName.dNSName, d)));
    b.addExtension(Extension.subjectAlternativeName, true,
        new GeneralNames(general.toArray(GeneralName[]::new)));
    if (proof != null) {
      Vector<Attribute> attributes = new Vector<>();
      attributes.add(new Attribute(new ASN1ObjectIdentifier(ProofTime.OID),
          new DERSet(new DERGeneralizedTime(Date.from(proof)))));
      b.addExtension(Extension.subjectDirectoryAttributes, false,
          new SubjectDirectoryAttributes(attributes));
    }
    return b.build(new JcaContentSignerBuilder(ca.jcaAlgorithm())
            .setProvider(CryptoProvider.bouncyCastle()).build(ca.keys().getPrivate()))
        .toASN1Structure().getTBSCertificate().getEncoded(ASN1Encoding.DER);
  }

  /** Positive serials of up to 128 bits; every other one with its top bit set. */
  private static BigInteger serial(Random random, int i) {
    byte[] bytes = new byte[16];
    random.nextBytes(bytes);
    switch (i % 4) {
      case 0 -> bytes[0] |= (byte) 0x80; // 16 content bytes plus a 0x00 sign byte
      case 1 -> {
        bytes[0] = 0; // a zero top byte: 15 bytes, the next one with its top bit set
        bytes[1] |= (byte) 0x80;
      }
      case 2 -> bytes[0] &= 0x7F; // no sign byte needed
      default -> {
        return BigInteger.valueOf(new long[] {1, 0x7F, 0x80, 0xFF, 0x8000}[i / 4 % 5]);
      }
    }
    BigInteger s = new BigInteger(1, bytes);
    return s.signum() == 0 ? BigInteger.ONE : s;
  }

  /** Around 2049/2050 every few inputs, else anywhere in 2001-2099; whole seconds. */
  private static Instant notBefore(Random random, int i) {
    if (i % 3 == 0) {
      return EDGE.plusSeconds(random.nextInt(7200) - 3600);
    }
    long from = Instant.parse("2001-01-01T00:00:00Z").getEpochSecond();
    long to = Instant.parse("2099-01-01T00:00:00Z").getEpochSecond();
    return Instant.ofEpochSecond(from + (long) (random.nextDouble() * (to - from)));
  }

  private static SubjectAltNames names(Random random) {
    int shape = random.nextInt(4);
    String uri = "spiffe://cluster.local/ns/" + word(random, 1 + random.nextInt(60)) + "/sa/"
        + word(random, 1 + random.nextInt(shape == 0 ? 2000 : 200));
    List<String> dns = new ArrayList<>();
    for (int d = random.nextInt(shape == 1 ? 4 : 1); d > 0; d--) {
      dns.add(word(random, 1 + random.nextInt(60)) + ".istio-system.svc");
    }
    return shape == 2 && !dns.isEmpty() ? new SubjectAltNames(List.of(), dns)
        : new SubjectAltNames(List.of(uri), dns);
  }

  private static String word(Random random, int length) {
    StringBuilder sb = new StringBuilder(length);
    for (int i = 0; i < length; i++) {
      sb.append("abcdefghijklmnopqrstuvwxyz0123456789-".charAt(random.nextInt(37)));
    }
    return sb.toString();
  }

  private static Ca ca(KeyPair keys) {
    X509Certificate root = CaCertificates.root("O=diff,CN=root " + keys.getPublic()
        .getAlgorithm(), keys, Duration.ofDays(3650));
    String alg = SigningAuthority.signatureAlgorithm(keys.getPublic());
    return new Ca(new SigningAuthority(root, new LocalKeySigner(keys.getPrivate(),
        keys.getPublic(), CRYPTO), List.of(), List.of(root)), keys, alg);
  }

  private static KeyPair rsa(int bits) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(bits);
    return g.generateKeyPair();
  }

  private static KeyPair ec(String curve) {
    return CaCertificates.ecKeyPair(curve);
  }

  private static X509Certificate parse(byte[] der) throws Exception {
    return (X509Certificate) CertificateFactory.getInstance("X.509")
        .generateCertificate(new ByteArrayInputStream(der));
  }
}
