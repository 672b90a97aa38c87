package dev.signet.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Value;
import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.api.v1.IstioCertificateResponse;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.auth.Authenticator;
import dev.signet.auth.Caller;
import dev.signet.auth.Credentials;
import dev.signet.auth.Impersonation;
import dev.signet.error.SignetException;
import dev.signet.issue.CertificateIssuer;
import dev.signet.issue.Issuance;
import dev.signet.metrics.AuditLog;
import dev.signet.metrics.IssuanceMetrics;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code istio.v1.auth.IstioCertificateService}. A call whose answer needs no I/O (its token's
 * verdict is cached and the CA key signs in process: the common case, and all of a restart
 * storm after each pod's first call) runs to the end on the transport thread that received it;
 * any other is handed to the worker executor, so a TokenReview or a Vault round trip never
 * holds a transport thread. Beyond {@code maxInFlight} calls, new ones get RESOURCE_EXHAUSTED at
 * once (agents retry with backoff) instead of queueing behind the CA.
 */
public final class CertificateService extends IstioCertificateServiceGrpc.IstioCertificateServiceImplBase {
  private final Authenticator authenticator;
  private final Impersonation impersonation;
  private final CertificateIssuer issuer;
  private final Executor workers;
  private final int maxInFlight;
  private final IssuanceMetrics metrics;
  private final AuditLog audit;

  public CertificateService(Authenticator authenticator, Impersonation impersonation,
      CertificateIssuer issuer, Executor workers, int maxInFlight, IssuanceMetrics metrics,
      AuditLog audit) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
    this.impersonation = requireNonNull(impersonation, "impersonation");
    this.issuer = requireNonNull(issuer, "issuer");
    this.workers = requireNonNull(workers, "workers");
    this.maxInFlight = maxInFlight;
    this.metrics = requireNonNull(metrics, "metrics");
    this.audit = requireNonNull(audit, "audit");
  }

  @Override
  public void createCertificate(IstioCertificateRequest request,
      StreamObserver<IstioCertificateResponse> response) {
    long start = System.nanoTime();
    AtomicInteger inFlight = metrics.inFlight();
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      fail(response, SignetException.overloaded("Signet is at its limit of " + maxInFlight
          + " requests in flight; retry with backoff"), start);
      return;
    }
    boolean atOnce = authenticator.answersAtOnce(CredentialsInterceptor.CREDENTIALS.get())
        && issuer.signsInProcess();
    metrics.dispatched(atOnce);
    if (atOnce) {
      try {
        handle(request, response, start);
      } finally {
        inFlight.decrementAndGet();
      }
      return;
    }
    Context context = Context.current();
    try {
      workers.execute(context.wrap(() -> {
        try {
          handle(request, response, start);
        } finally {
          inFlight.decrementAndGet();
        }
      }));
    } catch (RejectedExecutionException e) {
      inFlight.decrementAndGet();
      fail(response, SignetException.overloaded("Signet is shutting down or overloaded; retry"),
          start);
    }
  }

  private void handle(IstioCertificateRequest request,
      StreamObserver<IstioCertificateResponse> response, long start) {
    if (Context.current().isCancelled()) {
      metrics.record("cancelled", start);
      return;
    }
    Issuance issued;
    try {
      Credentials credentials = CredentialsInterceptor.CREDENTIALS.get();
      Caller caller = authenticator.authenticate(credentials);
      // The one place a caller may become someone else: the issuer only sees the result.
      Value requested = request.getMetadata().getFieldsMap().get(Impersonation.METADATA_KEY);
      if (requested != null) {
        caller = impersonation.impersonate(caller, credentials.clusterId(),
            requested.getStringValue());
      }
      issued = issuer.issue(caller, request.getCsr(), request.getValidityDuration());
    } catch (RuntimeException e) {
      fail(response, e, start);
      return;
    }
    // Audit before the certificate leaves: nothing is handed out that the log does not show.
    audit.issued(issued);
    metrics.record("ok", start);
    response.onNext(IstioCertificateResponse.newBuilder().addAllCertChain(issued.chain()).build());
    response.onCompleted();
  }

  private void fail(StreamObserver<IstioCertificateResponse> response, Throwable t, long start) {
    String outcome = StatusMapper.outcome(t);
    io.grpc.Status status = StatusMapper.toStatus(t);
    audit.refused(outcome, status.getDescription());
    metrics.record(outcome, start);
    response.onError(status.asRuntimeException());
  }
}
