package dev.signet.csr;

import dev.signet.pki.Der;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.RSAKeyGenParameterSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1EncodableVector;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1Integer;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.ASN1Primitive;
import org.bouncycastle.asn1.DERIA5String;
import org.bouncycastle.asn1.DEROctetString;
import org.bouncycastle.asn1.DERPrintableString;
import org.bouncycastle.asn1.DERSequence;
import org.bouncycastle.asn1.DERSet;
import org.bouncycastle.asn1.DERTaggedObject;
import org.bouncycastle.asn1.DERUTF8String;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;

/**
 * Random CSRs for the differential test: Istio's shapes and their neighbours (subjects, key types
 * and sizes, key and signature algorithm parameters, attributes, extensions, SANs, signature
 * algorithms), and, for a third of them, the CertificationRequestInfo's DER mutated at random
 * before it is signed, so that odd encodings still carry a valid signature and reach every
 * check after it.
 */
final class RandomCsrs {
  /** One input: the CSR's DER and whether its request info was mutated before signing. */
  record Input(byte[] der, boolean mutated, String description) {}

  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";
  private final Random random;
  private final List<KeyPair> keys = new ArrayList<>();
  private final List<String> keyNames = List.of("RSA-2048", "RSA-3072", "EC-P256", "EC-P384",
      "EC-P521", "RSA-1024", "RSA-2048-e3");

  RandomCsrs(long seed) throws Exception {
    random = new Random(seed);
    keys.add(rsa(2048, RSAKeyGenParameterSpec.F4));
    keys.add(rsa(3072, RSAKeyGenParameterSpec.F4));
    keys.add(ec("secp256r1"));
    keys.add(ec("secp384r1"));
    keys.add(ec("secp521r1"));
    keys.add(rsa(1024, RSAKeyGenParameterSpec.F4));
    keys.add(rsa(2048, BigInteger.valueOf(3)));
  }

  Input next() throws Exception {
    int k = random.nextInt(10) < 8 ? random.nextInt(4) : 4 + random.nextInt(3);
    KeyPair key = keys.get(k);
    boolean rsa = key.getPublic().getAlgorithm().equals("RSA");
    StringBuilder what = new StringBuilder(keyNames.get(k));
    byte[] info = new DERSequence(new ASN1Encodable[] {
        new ASN1Integer(random.nextInt(20) == 0 ? 1 : 0),
        subject(what),
        spki(key, rsa, what),
        new DERTaggedObject(false, 0, attributes(what))}).getEncoded(ASN1Encoding.DER);
    boolean mutated = random.nextInt(3) == 0;
    if (mutated) {
      info = mutate(info, what);
    }
    String algorithm = signatureAlgorithm(rsa, what);
    Signature s = Signature.getInstance(algorithm);
    s.initSign(key.getPrivate());
    s.update(info);
    byte[] signature = s.sign();
    byte[] algId = new AlgorithmIdentifier(oid(algorithm), rsa || random.nextInt(10) == 0
        ? org.bouncycastle.asn1.DERNull.INSTANCE : null).getEncoded(ASN1Encoding.DER);
    if (rsa && random.nextInt(10) == 0) {
      algId = new AlgorithmIdentifier(oid(algorithm)).getEncoded(ASN1Encoding.DER);
      what.append(", RSA signature without NULL");
    }
    if (!rsa && random.nextInt(15) == 0) {
      signature = padFirstInteger(signature);
      what.append(", ECDSA signature r with a redundant 0x00");
    }
    return new Input(Der.sequence(info, algId, Der.bitString(signature)), mutated,
        what.toString());
  }

  private X500Name subject(StringBuilder what) {
    AttributeTypeAndValue o = new AttributeTypeAndValue(BCStyle.O, new DERUTF8String(""));
    AttributeTypeAndValue shop = new AttributeTypeAndValue(BCStyle.O,
        new DERPrintableString("shop"));
    int choice = random.nextInt(9);
    what.append(", subject ").append(choice);
    return switch (choice) {
      case 0, 1 -> new X500Name(new RDN[] {new RDN(o)});
      case 2, 3 -> new X500Name(new RDN[0]);
      case 4 -> new X500Name(new RDN[] {new RDN(shop)});
      case 5 -> new X500Name(new RDN[] {new RDN(new AttributeTypeAndValue(BCStyle.CN,
          new DERUTF8String("cart")))});
      case 6 -> new X500Name(new RDN[] {new RDN(new AttributeTypeAndValue[] {o, shop})});
      case 7 -> new X500Name(new RDN[] {new RDN(o), new RDN(shop)});
      default -> new X500Name(new RDN[] {new RDN(new AttributeTypeAndValue(BCStyle.O,
          new DERIA5String("ia5")))});
    };
  }

  private ASN1Encodable spki(KeyPair key, boolean rsa, StringBuilder what) {
    SubjectPublicKeyInfo spki = SubjectPublicKeyInfo.getInstance(key.getPublic().getEncoded());
    if (rsa && random.nextInt(12) == 0) {
      what.append(", RSA key without NULL parameters");
      return new SubjectPublicKeyInfo(new AlgorithmIdentifier(PKCSObjectIdentifiers.rsaEncryption),
          spki.getPublicKeyData().getBytes());
    }
    return spki;
  }

  private DERSet attributes(StringBuilder what) throws Exception {
    ASN1EncodableVector attrs = new ASN1EncodableVector();
    int choice = random.nextInt(12);
    what.append(", attributes ").append(choice);
    ASN1Encodable extensions = extensions(what);
    if (choice != 0) {
      attrs.add(attribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest,
          choice == 1 ? new DERSet(new ASN1Encodable[] {extensions, extensions})
              : new DERSet(extensions)));
    }
    if (choice == 2) {
      attrs.add(attribute(PKCSObjectIdentifiers.pkcs_9_at_challengePassword,
          new DERSet(new DERUTF8String("secret"))));
    }
    if (choice == 3) {
      attrs.add(attribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest,
          new DERSet(extensions)));
    }
    return new DERSet(attrs);
  }

  private static ASN1Encodable attribute(ASN1ObjectIdentifier type, DERSet values) {
    return new DERSequence(new ASN1Encodable[] {type, values});
  }

  private ASN1Encodable extensions(StringBuilder what) throws Exception {
    List<ASN1Encodable> ext = new ArrayList<>();
    int sanChoice = random.nextInt(10);
    what.append(", san ").append(sanChoice);
    GeneralName uri = new GeneralName(GeneralName.uniformResourceIdentifier, ID);
    GeneralName[] names = switch (sanChoice) {
      case 0 -> new GeneralName[] {uri, new GeneralName(GeneralName.dNSName, "cart.shop")};
      case 1 -> new GeneralName[] {uri, uri};
      case 2 -> new GeneralName[] {new GeneralName(GeneralName.dNSName, "cart.shop")};
      case 3 -> new GeneralName[] {new GeneralName(GeneralName.uniformResourceIdentifier,
          ID + "/" + "x".repeat(random.nextInt(3000)))};
      case 4 -> new GeneralName[] {new GeneralName(GeneralName.uniformResourceIdentifier,
          new DERIA5String("spiffe://cluster.local/ns/shop/sa/c\tart", false))};
      default -> new GeneralName[] {uri};
    };
    if (sanChoice != 5) {
      ext.add(extension(Extension.subjectAlternativeName, new GeneralNames(names)));
    }
    if (random.nextBoolean()) {
      ext.add(extension(Extension.keyUsage, new KeyUsage(KeyUsage.digitalSignature)));
    }
    if (random.nextInt(3) == 0) {
      ext.add(extension(Extension.extendedKeyUsage, new ExtendedKeyUsage(
          new KeyPurposeId[] {KeyPurposeId.id_kp_serverAuth, KeyPurposeId.id_kp_clientAuth})));
    }
    if (random.nextInt(10) == 0) {
      what.append(", basicConstraints");
      ext.add(extension(Extension.basicConstraints, new BasicConstraints(true)));
    }
    if (random.nextInt(15) == 0 && !ext.isEmpty()) {
      what.append(", repeated extension");
      ext.add(ext.get(0));
    }
    return new DERSequence(ext.toArray(ASN1Encodable[]::new));
  }

  /** An Extension: critical TRUE, explicit FALSE (not DER) or absent, at random. */
  private ASN1Encodable extension(ASN1ObjectIdentifier oid, ASN1Encodable value)
      throws Exception {
    DEROctetString octets = new DEROctetString(value.toASN1Primitive()
        .getEncoded(ASN1Encoding.DER));
    return switch (random.nextInt(4)) {
      case 0 -> new DERSequence(new ASN1Encodable[] {oid,
          org.bouncycastle.asn1.ASN1Boolean.TRUE, octets});
      case 1 -> new DERSequence(new ASN1Encodable[] {oid,
          org.bouncycastle.asn1.ASN1Boolean.FALSE, octets});
      default -> new DERSequence(new ASN1Encodable[] {oid, octets});
    };
  }

  private String signatureAlgorithm(boolean rsa, StringBuilder what) {
    String[] hashes = {"SHA256", "SHA384", "SHA512", "SHA1"};
    String hash = hashes[random.nextInt(10) == 0 ? 3 : random.nextInt(3)];
    what.append(", ").append(hash);
    return hash + "with" + (rsa ? "RSA" : "ECDSA");
  }

  private static ASN1ObjectIdentifier oid(String jca) {
    return switch (jca) {
      case "SHA256withRSA" -> PKCSObjectIdentifiers.sha256WithRSAEncryption;
      case "SHA384withRSA" -> PKCSObjectIdentifiers.sha384WithRSAEncryption;
      case "SHA512withRSA" -> PKCSObjectIdentifiers.sha512WithRSAEncryption;
      case "SHA1withRSA" -> PKCSObjectIdentifiers.sha1WithRSAEncryption;
      case "SHA256withECDSA" -> org.bouncycastle.asn1.x9.X9ObjectIdentifiers.ecdsa_with_SHA256;
      case "SHA384withECDSA" -> org.bouncycastle.asn1.x9.X9ObjectIdentifiers.ecdsa_with_SHA384;
      case "SHA512withECDSA" -> org.bouncycastle.asn1.x9.X9ObjectIdentifiers.ecdsa_with_SHA512;
      default -> org.bouncycastle.asn1.x9.X9ObjectIdentifiers.ecdsa_with_SHA1;
    };
  }

  /** One random byte-level change: flip, length +-1, truncate, insert or append a byte. */
  private byte[] mutate(byte[] der, StringBuilder what) {
    int at = random.nextInt(der.length);
    int op = random.nextInt(6);
    what.append(", mutation ").append(op).append('@').append(at);
    return switch (op) {
      case 0 -> {
        byte[] out = der.clone();
        out[at] ^= (byte) (1 << random.nextInt(8));
        yield out;
      }
      case 1 -> {
        byte[] out = der.clone();
        out[at] = (byte) (out[at] + (random.nextBoolean() ? 1 : -1));
        yield out;
      }
      case 2 -> Arrays.copyOf(der, at);
      case 3 -> {
        byte[] out = new byte[der.length + 1];
        System.arraycopy(der, 0, out, 0, at);
        out[at] = (byte) random.nextInt(256);
        System.arraycopy(der, at, out, at + 1, der.length - at);
        yield out;
      }
      case 4 -> Arrays.copyOf(der, der.length + 1);
      default -> {
        byte[] out = der.clone();
        out[at] = (byte) new int[] {0x00, 0x05, 0x80, 0x81, 0x82, 0xA0, 0x30, 0x31, 0x0C, 0x13,
            0x16, 0x1E, 0xFF}[random.nextInt(13)];
        yield out;
      }
    };
  }

  /** The ECDSA signature with r re-encoded with one redundant leading zero byte (not DER). */
  private static byte[] padFirstInteger(byte[] sig) throws Exception {
    org.bouncycastle.asn1.ASN1Sequence seq = org.bouncycastle.asn1.ASN1Sequence.getInstance(
        ASN1Primitive.fromByteArray(sig));
    byte[] r = ASN1Integer.getInstance(seq.getObjectAt(0)).getValue().toByteArray();
    byte[] padded = new byte[r.length + 1];
    System.arraycopy(r, 0, padded, 1, r.length);
    return Der.sequence(Der.integer(padded), ASN1Integer.getInstance(seq.getObjectAt(1))
        .getEncoded(ASN1Encoding.DER));
  }

  private static KeyPair rsa(int bits, BigInteger exponent) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(new RSAKeyGenParameterSpec(bits, exponent));
    return g.generateKeyPair();
  }

  private static KeyPair ec(String curve) throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec(curve));
    return g.generateKeyPair();
  }
}
