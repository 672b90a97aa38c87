package dev.signet.issue;

import dev.signet.ca.SigningAuthority;
import dev.signet.pki.Der;
import dev.signet.pki.ProofTime;
import java.math.BigInteger;
import java.security.SecureRandom;
import java.time.Instant;

/**
 * Encodes and signs leaf certificates shaped like istiod's: v3, 128-bit random serial, empty
 * subject, the requested public key verbatim, and the extensions KeyUsage digitalSignature +
 * keyEncipherment (critical), ExtKeyUsage serverAuth + clientAuth, BasicConstraints CA=false
 * (critical), AuthorityKeyIdentifier = the issuer's SKI, and a critical SubjectAltName.
 *
 * <p>A leaf issued by renewal with a client certificate also carries the time of the token
 * proof it descends from ({@link ProofTime}); a leaf issued for a token carries nothing more.
 *
 * <p>The TBSCertificate is written directly as DER; the constant parts are encoded once.
 */
public final class LeafSigner {
  private static final byte[] VERSION_3 = {(byte) 0xA0, 0x03, 0x02, 0x01, 0x02};
  private static final byte[] EMPTY_NAME = {0x30, 0x00};
  private static final byte[] KEY_USAGE = Der.extension(Der.oid("2.5.29.15"), true,
      new byte[] {0x03, 0x02, 0x05, (byte) 0xA0});
  private static final byte[] EXT_KEY_USAGE = Der.extension(Der.oid("2.5.29.37"), false,
      Der.sequence(Der.oid("1.3.6.1.5.5.7.3.1"), Der.oid("1.3.6.1.5.5.7.3.2")));
  private static final byte[] NOT_A_CA = Der.extension(Der.oid("2.5.29.19"), true, EMPTY_NAME);
  private static final byte[] AKI_OID = Der.oid("2.5.29.35");
  private static final byte[] SAN_OID = Der.oid("2.5.29.17");

  /** One generator per thread: a shared SecureRandom is a lock every request queues on. */
  private static final ThreadLocal<SecureRandom> RANDOM = ThreadLocal.withInitial(
      SecureRandom::new);

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
    byte[] algorithm = ca.signer().algorithmIdentifier();
    byte[] aki = Der.extension(AKI_OID, false,
        Der.sequence(Der.tlv(0x80, ca.keyIdentifier())));
    byte[] san = Der.extension(SAN_OID, true, names.encode());
    byte[] extensions = proof == null
        ? Der.sequence(KEY_USAGE, EXT_KEY_USAGE, NOT_A_CA, aki, san)
        : Der.sequence(KEY_USAGE, EXT_KEY_USAGE, NOT_A_CA, aki, san, proof);
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
}
