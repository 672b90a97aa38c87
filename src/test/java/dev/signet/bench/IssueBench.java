package dev.signet.bench;

import dev.signet.api.v1.IstioCertificateResponse;
import dev.signet.auth.Caller;
import dev.signet.ca.FilesCaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.crypto.CryptoProvider;
import dev.signet.csr.CsrParser;
import dev.signet.issue.CertificateIssuer;
import dev.signet.issue.IssuedCertificate;
import dev.signet.issue.Issuance;
import dev.signet.issue.LeafSigner;
import dev.signet.issue.SubjectAltNames;
import dev.signet.issue.TtlPolicy;
import dev.signet.spiffe.SpiffeId;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * The issuing steps after authentication: the leaf alone (TBS encoding + CA signature), the whole
 * of {@link CertificateIssuer#issue} for an RSA-2048 sidecar CSR, and the response encoding.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class IssueBench {
  @Param({"native", "bouncycastle", "jdk"})
  public String provider;

  private FilesCaSource ca;
  private SigningAuthority authority;
  private LeafSigner signer;
  private CertificateIssuer issuer;
  private Caller caller;
  private String csr;
  private byte[] spki;
  private SubjectAltNames san;
  private Issuance issued;

  @Setup
  public void setUp() {
    CryptoProvider crypto = Fixtures.provider(provider);
    ca = Fixtures.ca(crypto);
    authority = ca.current();
    signer = new LeafSigner();
    CsrParser parser = new CsrParser(crypto);
    issuer = new CertificateIssuer(parser, ca,
        new TtlPolicy(Duration.ofHours(24), Duration.ofHours(1), Duration.ofHours(24)), signer,
        Clock.systemUTC(), Duration.ofHours(24));
    caller = new Caller(SpiffeId.parse(Fixtures.ID), "jwt", Optional.empty());
    csr = Fixtures.csr("rsa2048");
    spki = parser.parse(csr).publicKeyInfo();
    san = SubjectAltNames.uri(Fixtures.ID);
    issued = issuer.issue(caller, csr, 86400);
  }

  @TearDown
  public void tearDown() {
    ca.close();
  }

  @Benchmark
  public IssuedCertificate signLeaf() {
    Instant now = Instant.now();
    return signer.sign(authority, spki, san, now, now.plusSeconds(86400));
  }

  @Benchmark
  public Issuance issueRsa2048Csr() {
    return issuer.issue(caller, csr, 86400);
  }

  @Benchmark
  public byte[] encodeResponse() {
    return IstioCertificateResponse.newBuilder()
        .addCertChain(issued.certificate().pem())
        .addAllCertChain(authority.chainTail())
        .build().toByteArray();
  }
}
