package dev.signet.bench;

import dev.signet.crypto.CryptoProvider;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/**
 * The crypto floor of one certificate: a P-256 signature by the CA key and a verification of the
 * CSR's RSA-2048 (sidecar) or P-256 (ztunnel) signature, per provider. Signet's per-certificate
 * CPU is judged against the sum of these.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CryptoFloorBench {
  @Param({"native", "bouncycastle", "jdk"})
  public String provider;

  private final byte[] tbs = new byte[420];
  private Signature p256Sign;
  private Signature rsaVerify;
  private Signature p256Verify;
  private byte[] rsaSignature;
  private byte[] p256Signature;

  @Setup
  public void setUp() throws GeneralSecurityException {
    ThreadLocalRandom.current().nextBytes(tbs);
    CryptoProvider crypto = Fixtures.provider(provider);
    KeyPairGenerator ec = KeyPairGenerator.getInstance("EC");
    ec.initialize(new ECGenParameterSpec("secp256r1"));
    KeyPair ca = ec.generateKeyPair();
    KeyPairGenerator rsa = KeyPairGenerator.getInstance("RSA");
    rsa.initialize(2048);
    KeyPair csrKey = rsa.generateKeyPair();

    p256Sign = crypto.signature("SHA256withECDSA");
    p256Sign.initSign(ca.getPrivate());
    p256Sign.update(tbs);
    p256Signature = p256Sign.sign();
    p256Verify = crypto.signature("SHA256withECDSA");
    p256Verify.initVerify(ca.getPublic());

    Signature rsaSign = Signature.getInstance("SHA256withRSA");
    rsaSign.initSign(csrKey.getPrivate());
    rsaSign.update(tbs);
    rsaSignature = rsaSign.sign();
    rsaVerify = crypto.signature("SHA256withRSA");
    rsaVerify.initVerify(csrKey.getPublic());
  }

  @Benchmark
  public byte[] p256Sign() throws GeneralSecurityException {
    p256Sign.update(tbs);
    return p256Sign.sign();
  }

  @Benchmark
  public boolean rsa2048Verify() throws GeneralSecurityException {
    rsaVerify.update(tbs);
    return rsaVerify.verify(rsaSignature);
  }

  @Benchmark
  public boolean p256Verify() throws GeneralSecurityException {
    p256Verify.update(tbs);
    return p256Verify.verify(p256Signature);
  }
}
