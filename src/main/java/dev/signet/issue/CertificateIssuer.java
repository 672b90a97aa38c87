package dev.signet.issue;

import static java.util.Objects.requireNonNull;

import dev.signet.auth.Caller;
import dev.signet.auth.ClientCertAuthenticator;
import dev.signet.ca.CaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.csr.CertificateRequest;
import dev.signet.csr.CsrParser;
import dev.signet.error.SignetException;
import dev.signet.pki.ProofTime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Issues a workload certificate for an authenticated caller: checks the CSR, checks that it asks
 * for exactly the caller's identity, decides the validity, signs, and assembles the chain.
 *
 * <p>A caller that renews with a certificate ({@link Caller#proofTime()} present) gets a leaf
 * that carries that proof time forward and ends no later than proof time + {@code proofMaxAge};
 * past that, it is refused and must prove its identity with a token again.
 */
public final class CertificateIssuer {
  private final CsrParser csrs;
  private final CaSource ca;
  private final TtlPolicy ttl;
  private final LeafSigner signer;
  private final Clock clock;
  private final Duration proofMaxAge;

  /**
   * @param proofMaxAge the longest a leaf may be issued after the token proof its caller's
   *     certificate descends from ({@code auth.client-cert.max-age})
   */
  public CertificateIssuer(CsrParser csrs, CaSource ca, TtlPolicy ttl, LeafSigner signer,
      Clock clock, Duration proofMaxAge) {
    this.csrs = requireNonNull(csrs, "csrs");
    this.ca = requireNonNull(ca, "ca");
    this.ttl = requireNonNull(ttl, "ttl");
    this.signer = requireNonNull(signer, "signer");
    this.clock = requireNonNull(clock, "clock");
    this.proofMaxAge = requireNonNull(proofMaxAge, "proofMaxAge");
  }

  /**
   * Whether issuing now needs no I/O: the current CA key signs in this process. With no usable
   * CA the answer is also true: the refusal is immediate.
   */
  public boolean signsInProcess() {
    try {
      return ca.current().signer().signsInProcess();
    } catch (SignetException noCa) {
      return true;
    }
  }

  /** Issues for {@code caller} from a PEM CSR and a requested validity in seconds (0: default). */
  public Issuance issue(Caller caller, String csrPem, long requestedSeconds) {
    CertificateRequest request = csrs.parse(csrPem);
    String identity = caller.identity().toString();
    if (!request.uri().equals(identity)) {
      throw SignetException.unauthenticated("the CSR asks for '" + request.uri()
          + "' but the caller's credentials prove '" + identity + "'");
    }
    SigningAuthority authority = ca.current();
    Instant now = clock.instant().truncatedTo(ChronoUnit.SECONDS);
    Instant notAfter = ttl.notAfter(now, requestedSeconds, authority.notAfter())
        .truncatedTo(ChronoUnit.SECONDS);
    if (!notAfter.isAfter(now)) {
      throw SignetException.unavailable("the CA certificate expired at " + authority.notAfter()
          + "; the CA must be renewed", null);
    }
    IssuedCertificate leaf;
    if (caller.proofTime().isEmpty()) {
      leaf = signer.sign(authority, request.publicKeyInfo(), SubjectAltNames.uri(identity),
          now.minus(ProofTime.BACKDATE), notAfter);
    } else {
      Instant proof = caller.proofTime().get();
      Instant end = proof.plus(proofMaxAge).truncatedTo(ChronoUnit.SECONDS);
      if (!end.isAfter(now)) {
        throw ClientCertAuthenticator.proofTooOld(proof);
      }
      leaf = signer.signRenewal(authority, request.publicKeyInfo(),
          SubjectAltNames.uri(identity), now.minus(ProofTime.BACKDATE),
          notAfter.isAfter(end) ? end : notAfter, proof);
    }
    List<String> chain = new ArrayList<>(1 + authority.chainTail().size());
    chain.add(leaf.pem());
    chain.addAll(authority.chainTail());
    return new Issuance(caller, leaf, request.keyType(), authority.fingerprint(), chain);
  }
}
