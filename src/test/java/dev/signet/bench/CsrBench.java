package dev.signet.bench;

import dev.signet.csr.CertificateRequest;
import dev.signet.csr.CsrParser;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;

/** CSR parse, policy checks and signature verification, per key type and provider. */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class CsrBench {
  @Param({"rsa2048", "p256"})
  public String key;

  @Param({"native", "bouncycastle", "jdk"})
  public String provider;

  private CsrParser parser;
  private String pem;

  @Setup
  public void setUp() {
    parser = new CsrParser(Fixtures.provider(provider));
    pem = Fixtures.csr(key);
  }

  @Benchmark
  public CertificateRequest parseAndVerify() {
    return parser.parse(pem);
  }
}
