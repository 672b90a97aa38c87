package dev.signet.issue;

import dev.signet.ca.SigningAuthority;
import dev.signet.pki.Der;
import dev.signet.pki.ProofTime;
import java.math.BigInteger;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.Arrays;

/**
 * Encodes and signs leaf certificates shaped like istiod's: v3, 128-bit random serial, empty
 * subject, the requested public key verbatim, and the extensions KeyUsage (critical; by key
 * type, below), ExtKeyUsage serverAuth + clientAuth, BasicConstraints CA=false (critical),
 * SubjectKeyIdentifier (RFC 5280 4.2.1.2 method 1: SHA-1 of the key's bits; RFC 5280 says an
 * end-entity certificate SHOULD carry one, and zlint and pkilint warn without it),
 * AuthorityKeyIdentifier = the issuer's SKI, and a critical SubjectAltName.
 *
 * <p>KeyUsage follows the key: an RSA key gets digitalSignature + keyEncipherment (TLS 1.2 RSA
 * key exchange clients still exist); any other key (ECDSA) gets digitalSignature only, since
 * keyEncipherment is undefined for id-ecPublicKey (RFC 8813 section 3, RFC 5480 section 3).
 *
 * <p>A leaf issued by renewal with a client certificate also carries the time of the token
 * proof it descends from ({@link ProofTime}); a leaf issued for a token carries nothing more.
 *
 * <p>The TBSCertificate is written directly as DER; the constant parts are encoded once.
 */
public final class LeafSigner {
  private static final byte[] VERSION_3 = {(byte) 0xA0, 0x03, 0x02, 0x01, 0x02};
  private static final byte[] EMPTY_NAME = {0x30, 0x00};
  /** digitalSignature (bit 0) + keyEncipherment (bit 2): 5 unused bits, 101 in the top bits. */
  private static final byte[] KEY_USAGE_RSA = Der.extension(Der.oid("2.5.29.15"), true,
      new byte[] {0x03, 0x02, 0x05, (byte) 0xA0});
  /** digitalSignature only: 7 unused bits (DER drops trailing zero bits of a named bit list). */
  private static final byte[] KEY_USAGE_SIGN_ONLY = Der.extension(Der.oid("2.5.29.15"), true,
      new byte[] {0x03, 0x02, 0x07, (byte) 0x80});
  private static final byte[] RSA_ENCRYPTION = Der.oid("1.2.840.113549.1.1.1");
  private static final byte[] EXT_KEY_USAGE = Der.extension(Der.oid("2.5.29.37"), false,
      Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"), Der.oid("1.3.6.1.5.5.7.3.2")));
  private static final byte[] NOT_A_CA = Der.extension(Der.oid("2.5.29.19"), true, EMPTY_NAME);
  private static final byte[] SKI_OID = Der.oid("2.5.29.14");
  private static final byte[] AKI_OID = Der.oid("2.5.29.35");
  private static final byte[] SAN_OID = Der.oid("2.5.29.17");

  /** One generator per thread: a shared SecureRandom is a lock every request queues on. */
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(
      SecureRandom::new);
  private static final ThreadLocal<MessageDigest> SHA1 = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-1");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 is missing from the JDK", e);
    }
  });

  /**
   * Signs a leaf for {@code spki} (a DER SubjectPublicKeyInfo) valid from {@code notBefore} to
   * {@code notAfter}.
   */
  public IssuedCertificate sign(SigningAuthority ca, byte[] spki, SubjectAltNames names,
      Instant notBefore, Instant notAfter) {
    return sign(ca, spki, names, notBefore, notAfter, null);
  }

  /**
   * Like {@link #sign} for a leaf renewed with a client certificate: it also carries
   * {@code proofTime}, when the identity was last proved with a token.
   */
  public IssuedCertificate signRenewal(SigningAuthority ca, byte[] spki, SubjectAltNames names,
      Instant notBefore, Instant notAfter, Instant proofTime) {
    return sign(ca, spki, names, notBefore, notAfter, ProofTime.extension(proofTime));
  }

  /** {@code proof}: the proof-time extension, or null for a leaf issued for a token. */
  private IssuedCertificate sign(SigningAuthority ca, byte[] spki, SubjectAltNames names,
      Instant notBefore, Instant notAfter, byte[] proof) {
    byte[] serialBytes = new byte[16];
    RANDOM.get().nextBytes(serialBytes);
    BigInteger serial = new BigInteger(1, serialBytes);
    if (serial.signum() == 0) {
      serial = BigInteger.ONE;
    }
    return sign(ca, spki, names, notBefore, notAfter, proof, serial);
  }

  /** Signs with a given positive {@code serial} (tests compare the encoding with a reference). */
  IssuedCertificate sign(SigningAuthority ca, byte[] spki, SubjectAltNames names,
      Instant notBefore, Instant notAfter, byte[] proof, BigInteger serial) {
    byte[] algorithm = ca.signer().algorithmIdentifier();
    byte[] ski = Der.extension(SKI_OID, false, Der.tlv(Der.OCTET_STRING, keyIdentifier(spki)));
    byte[] aki = Der.extension(AKI_OID, false,
        Der.sequence(Der.tlv(0x80, ca.keyIdentifier())));
    byte[] san = Der.extension(SAN_OID, true, names.encode());
    byte[] keyUsage = isRsa(spki) ? KEY_USAGE_RSA : KEY_USAGE_SIGN_ONLY;
    byte[] extensions = proof == null
        ? Der.sequence(keyUsage, EXT_KEY_USAGE, NOT_A_CA, ski, aki, san)
        : Der.sequence(keyUsage, EXT_KEY_USAGE, NOT_A_CA, ski, aki, san, proof);
    byte[] tbs = Der.sequence(
        VERSION_3,
        Der.integer(serial.toByteArray()),
        algorithm,
        ca.issuerName(),
        Der.sequence(Der.time(notBefore), Der.time(notAfter)),
        EMPTY_NAME,
        spki,
        Der.tlv(0xA3, extensions));
    byte[] signature = ca.signer().sign(tbs);
    byte[] der = Der.sequence(tbs, algorithm, Der.bitString(signature));
    return new IssuedCertificate(der, serial, notBefore, notAfter);
  }

  /**
   * Whether the DER SubjectPublicKeyInfo {@code spki} is for an rsaEncryption key: the OID
   * that opens its AlgorithmIdentifier, read in place (SEQUENCE { SEQUENCE { OID ...).
   */
  static boolean isRsa(byte[] spki) {
    int algorithm = contentStart(spki, 0);
    int oid = contentStart(spki, algorithm);
    int end = oid + RSA_ENCRYPTION.length;
    return oid >= 0 && end <= spki.length
        && Arrays.equals(spki, oid, end, RSA_ENCRYPTION, 0, RSA_ENCRYPTION.length);
  }

  /**
   * RFC 5280 4.2.1.2 method 1: SHA-1 of the subjectPublicKey BIT STRING's bits (after its
   * unused-bits byte), the BIT STRING that follows the AlgorithmIdentifier in {@code spki}.
   */
  static byte[] keyIdentifier(byte[] spki) {
    int algorithm = contentStart(spki, 0);
    int bits = contentStart(spki, algorithm);
    if (bits < 0) {
      throw new IllegalArgumentException("not a SubjectPublicKeyInfo");
    }
    int algorithmLength = spki[algorithm + 1] & 0xFF;
    if (algorithmLength >= 0x80) {
      int n = algorithmLength & 0x7F;
      algorithmLength = 0;
      for (int i = 0; i < n; i++) {
        algorithmLength = (algorithmLength << 8) | (spki[algorithm + 2 + i] & 0xFF);
      }
    }
    int bitString = bits + algorithmLength;
    int keyBits = contentStart(spki, bitString) + 1;
    if (keyBits <= 0 || keyBits > spki.length) {
      throw new IllegalArgumentException("not a SubjectPublicKeyInfo");
    }
    MessageDigest sha1 = SHA1.get();
    sha1.update(spki, keyBits, spki.length - keyBits);
    return sha1.digest();
  }

  /** Where the content of the TLV whose tag is at {@code at} starts, or -1 if out of range. */
  private static int contentStart(byte[] der, int at) {
    if (at < 0 || at + 1 >= der.length) {
      return -1;
    }
    int first = der[at + 1] & 0xFF;
    return at + 2 + (first < 0x80 ? 0 : first & 0x7F);
  }
}
