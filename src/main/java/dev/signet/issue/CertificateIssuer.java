package dev.signet.issue;

import static java.util.Objects.requireNonNull;

import dev.signet.auth.Caller;
import dev.signet.ca.CaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.csr.CertificateRequest;
import dev.signet.csr.CsrParser;
import dev.signet.error.SignetException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;

/**
 * Issues a workload certificate for an authenticated caller: checks the CSR, checks that it asks
 * for exactly the caller's identity, decides the validity, signs, and assembles the chain.
 */
public final class CertificateIssuer {
  /** Istio backdates leaves by two minutes to absorb clock skew between nodes. */
  static final Duration BACKDATE = Duration.ofMinutes(2);

  private final CsrParser csrs;
  private final CaSource ca;
  private final TtlPolicy ttl;
  private final LeafSigner signer;
  private final Clock clock;

  public CertificateIssuer(CsrParser csrs, CaSource ca, TtlPolicy ttl, LeafSigner signer,
      Clock clock) {
    this.csrs = requireNonNull(csrs, "csrs");
    this.ca = requireNonNull(ca, "ca");
    this.ttl = requireNonNull(ttl, "ttl");
    this.signer = requireNonNull(signer, "signer");
    this.clock = requireNonNull(clock, "clock");
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
    IssuedCertificate leaf = signer.sign(authority, request.publicKeyInfo(),
        SubjectAltNames.uri(identity), now.minus(BACKDATE), notAfter);
    List<String> chain = new ArrayList<>(1 + authority.chainTail().size());
    chain.add(leaf.pem());
    chain.addAll(authority.chainTail());
    return new Issuance(caller, leaf, request.keyType(), authority.fingerprint(), chain);
  }
}
