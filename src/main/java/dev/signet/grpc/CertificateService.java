package dev.signet.grpc;

import static java.util.Objects.requireNonNull;

import com.google.protobuf.Value;
import dev.signet.api.v1.IstioCertificateRequest;
import dev.signet.api.v1.IstioCertificateResponse;
import dev.signet.api.v1.IstioCertificateServiceGrpc;
import dev.signet.auth.AuthGate;
import dev.signet.auth.Authenticator;
import dev.signet.auth.Caller;
import dev.signet.auth.Credentials;
import dev.signet.auth.Impersonation;
import dev.signet.error.SignetException;
import dev.signet.issue.CertificateIssuer;
import dev.signet.issue.Issuance;
import dev.signet.metrics.AuditLog;
import dev.signet.metrics.AuditLog.Stage;
import dev.signet.metrics.IssuanceMetrics;
import io.grpc.Context;
import io.grpc.stub.StreamObserver;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code istio.v1.auth.IstioCertificateService}. Where a call runs:
 *
 * <ul>
 *   <li>its token's answer is known (a cached verdict or refusal, a refusal decided by the cheap
 *       local checks, a client certificate) and the CA key signs in process: to the end on the
 *       transport thread that received it (the common case, and all of a restart storm after
 *       each pod's first call);
 *   <li>its token is new: the first check goes to the authentication pool ({@link AuthGate},
 *       bounded, with per-peer limits, refusing at once when full), then signs there when the
 *       key is in process, or hands the signature to the workers (Vault Transit);
 *   <li>its answer is known but signing needs Vault: to the workers.
 * </ul>
 *
 * <p>So neither a TokenReview nor a Vault round trip ever holds a transport thread, and a flood of
 * unknown tokens cannot take the threads that sign. Beyond {@code maxInFlight} calls, new ones
 * get RESOURCE_EXHAUSTED at once (agents retry with backoff) instead of queueing behind the CA.
 */
public final class CertificateService extends IstioCertificateServiceGrpc.IstioCertificateServiceImplBase {
  private final Authenticator authenticator;
  private final Impersonation impersonation;
  private final CertificateIssuer issuer;
  private final Executor workers;
  private final AuthGate authGate;
  private final int maxInFlight;
  private final IssuanceMetrics metrics;
  private final AuditLog audit;

  public CertificateService(Authenticator authenticator, Impersonation impersonation,
      CertificateIssuer issuer, Executor workers, AuthGate authGate, int maxInFlight,
      IssuanceMetrics metrics, AuditLog audit) {
    this.authenticator = requireNonNull(authenticator, "authenticator");
    this.impersonation = requireNonNull(impersonation, "impersonation");
    this.issuer = requireNonNull(issuer, "issuer");
    this.workers = requireNonNull(workers, "workers");
    this.authGate = requireNonNull(authGate, "authGate");
    this.maxInFlight = maxInFlight;
    this.metrics = requireNonNull(metrics, "metrics");
    this.audit = requireNonNull(audit, "audit");
  }

  /** One admitted call: what it needs on whichever thread runs it; it leaves the count once. */
  private final class Call {
    final IstioCertificateRequest request;
    final StreamObserver<IstioCertificateResponse> response;
    final long start;
    final Credentials credentials;
    final Context context = Context.current();
    private final AtomicBoolean admitted = new AtomicBoolean(true);

    Call(IstioCertificateRequest request, StreamObserver<IstioCertificateResponse> response,
        long start, Credentials credentials) {
      this.request = request;
      this.response = response;
      this.start = start;
      this.credentials = credentials;
    }

    /** Leaves the in-flight count (once). */
    void release() {
      if (admitted.compareAndSet(true, false)) {
        metrics.inFlight().decrementAndGet();
      }
    }
  }

  @Override
  public void createCertificate(IstioCertificateRequest request,
      StreamObserver<IstioCertificateResponse> response) {
    long start = System.nanoTime();
    AtomicInteger inFlight = metrics.inFlight();
    if (inFlight.incrementAndGet() > maxInFlight) {
      inFlight.decrementAndGet();
      fail(response, SignetException.overloaded("Signet is at its limit of " + maxInFlight
          + " requests in flight; retry with backoff"), start, Stage.LOAD);
      return;
    }
    Call call = new Call(request, response, start, CredentialsInterceptor.CREDENTIALS.get());
    boolean known = authenticator.answersAtOnce(call.credentials);
    boolean signsHere = issuer.signsInProcess();
    if (known && signsHere) {
      metrics.dispatched(IssuanceMetrics.Dispatch.TRANSPORT);
      try {
        run(call, false); // signs in process: never hands over
      } finally {
        call.release();
      }
    } else if (known) {
      metrics.dispatched(IssuanceMetrics.Dispatch.WORKER);
      toWorkers(call, () -> run(call, false));
    } else {
      metrics.dispatched(IssuanceMetrics.Dispatch.AUTH);
      try {
        authGate.execute(call.credentials, call.context.wrap(() -> {
          boolean handedOver = false;
          try {
            handedOver = run(call, true);
          } finally {
            if (!handedOver) {
              call.release();
            }
          }
        }));
      } catch (SignetException refused) {
        call.release();
        fail(response, refused, start, Stage.LOAD);
      }
    }
  }

  /** Runs {@code step} on a signing worker, releasing the call when it ends. */
  private void toWorkers(Call call, Runnable step) {
    try {
      workers.execute(call.context.wrap(() -> {
        try {
          step.run();
        } finally {
          call.release();
        }
      }));
    } catch (RejectedExecutionException e) {
      call.release();
      fail(call.response, SignetException.overloaded("Signet is shutting down or overloaded; "
          + "retry"), call.start, Stage.LOAD);
    }
  }

  /**
   * Authenticates and issues. After a first token check (on the authentication pool), a
   * signature that needs Vault goes on to the workers.
   *
   * @return true when the call was handed to a worker (which then releases it)
   */
  private boolean run(Call call, boolean firstCheck) {
    if (Context.current().isCancelled()) {
      metrics.record("cancelled", call.start);
      return false;
    }
    Caller caller;
    try {
      caller = authenticate(call, firstCheck);
    } catch (RuntimeException e) {
      fail(call.response, e, call.start, Stage.AUTHENTICATION);
      return false;
    }
    try {
      caller = impersonate(call, caller);
    } catch (RuntimeException e) {
      fail(call.response, e, call.start, Stage.IMPERSONATION);
      return false;
    }
    if (firstCheck && !issuer.signsInProcess()) {
      Caller checked = caller;
      toWorkers(call, () -> issue(call, checked)); // the worker step releases the call
      return true;
    }
    issue(call, caller);
    return false;
  }

  private Caller authenticate(Call call, boolean firstCheck) {
    Credentials credentials = call.credentials;
    Caller caller;
    try {
      caller = authenticator.authenticate(credentials);
    } catch (SignetException e) {
      if (firstCheck && e.kind() == SignetException.Kind.UNAUTHENTICATED) {
        authGate.failed(credentials);
      }
      throw e;
    }
    return caller;
  }

  /** The one place a caller may become someone else: the issuer only sees the result. */
  private Caller impersonate(Call call, Caller caller) {
    Value requested = call.request.getMetadata().getFieldsMap().get(Impersonation.METADATA_KEY);
    return requested == null ? caller : impersonation.impersonate(caller,
        call.credentials.clusterId(), requested.getStringValue());
  }

  private void issue(Call call, Caller caller) {
    Issuance issued;
    try {
      issued = issuer.issue(caller, call.request.getCsr(), call.request.getValidityDuration());
    } catch (RuntimeException e) {
      fail(call.response, e, call.start, Stage.ISSUANCE);
      return;
    }
    // Audit before the certificate leaves: nothing is handed out that the log does not show.
    audit.issued(issued);
    metrics.record("ok", call.start);
    call.response.onNext(IstioCertificateResponse.newBuilder().addAllCertChain(issued.chain())
        .build());
    call.response.onCompleted();
  }

  private void fail(StreamObserver<IstioCertificateResponse> response, Throwable t, long start,
      Stage stage) {
    String outcome = StatusMapper.outcome(t);
    io.grpc.Status status = StatusMapper.toStatus(t);
    audit.refused(stage, outcome, status.getDescription());
    metrics.record(outcome, start);
    response.onError(status.asRuntimeException());
  }
}
