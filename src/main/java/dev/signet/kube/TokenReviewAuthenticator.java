package dev.signet.kube;

import static java.util.Objects.requireNonNull;

import dev.signet.auth.Authenticator;
import dev.signet.auth.Caller;
import dev.signet.auth.Credentials;
import dev.signet.error.SignetException;
import dev.signet.logging.ThrottledLog;
import dev.signet.kube.TokenReviewMetrics.Failure;
import dev.signet.spiffe.SpiffeId;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Authenticates service-account tokens the way istiod does: a Kubernetes TokenReview with the
 * configured audiences, accepting only an authenticated user in group
 * {@code system:serviceaccounts} named {@code system:serviceaccount:<ns>:<sa>}, and keeping the
 * {@code pod-name}/{@code pod-uid} the API server reports for pod-bound tokens. Unlike istiod,
 * it also requires the answer's {@code status.audiences} to name one of the requested
 * audiences, as the TokenReview API tells a client that sets {@code spec.audiences} to do.
 *
 * <p>Every call is one review: remembering positive answers and sharing one review among
 * concurrent calls with the same token is {@link dev.signet.auth.CachingAuthenticator}'s job,
 * in front of this. An API server that cannot be reached, times out or answers 5xx makes the
 * request UNAVAILABLE (the caller retries), never UNAUTHENTICATED. Callers are never told the
 * API server's error text or HTTP codes: those are logged (rate-limited).
 */
public final class TokenReviewAuthenticator implements Authenticator {
  static final String SA_GROUP = "system:serviceaccounts";
  static final String SA_PREFIX = "system:serviceaccount:";
  static final String POD_NAME = "authentication.kubernetes.io/pod-name";
  static final String POD_UID = "authentication.kubernetes.io/pod-uid";

  /** Per instance (per cluster), so one cluster's noise never hides another's. */
  private final ThrottledLog log = new ThrottledLog(
      Logger.getLogger(TokenReviewAuthenticator.class.getName()), Duration.ofSeconds(10));

  private final String cluster;
  private final Function<TokenReview, TokenReview> api;
  private final List<String> audiences;
  private final String trustDomain;
  private final TokenReviewMetrics metrics;

  /**
   * @param cluster the cluster id, for messages and metric tags
   * @param client a client whose credentials may create TokenReviews (and whose request
   *     timeout bounds each review)
   */
  public TokenReviewAuthenticator(String cluster, KubernetesClient client, List<String> audiences,
      String trustDomain, MeterRegistry registry) {
    // One operation for every review: fabric8 builds a new one per tokenReviews() call,
    // looking for a list class by reflection each time (docs/benchmarks.md, TokenReview storm);
    // the operation holds no per-request state, so concurrent reviews share it.
    this(cluster, client.authentication().v1().tokenReviews()::create, audiences, trustDomain,
        registry);
  }

  TokenReviewAuthenticator(String cluster, Function<TokenReview, TokenReview> api,
      List<String> audiences, String trustDomain, MeterRegistry registry) {
    this.cluster = requireNonNull(cluster, "cluster");
    this.api = requireNonNull(api, "api");
    this.audiences = List.copyOf(audiences);
    this.trustDomain = requireNonNull(trustDomain, "trustDomain");
    this.metrics = new TokenReviewMetrics(registry, cluster.isEmpty() ? "local" : cluster);
  }

  @Override
  public Caller authenticate(Credentials credentials) {
    String token = credentials.bearerToken()
        .orElseThrow(() -> SignetException.unauthenticated("no bearer token"));
    long start = System.nanoTime();
    TokenReview answer;
    try {
      answer = api.apply(new TokenReviewBuilder().withNewSpec().withToken(token)
          .withAudiences(audiences).endSpec().build());
    } catch (KubernetesClientException e) {
      throw unavailable(e);
    } catch (SignetException e) {
      throw e;
    } catch (RuntimeException e) {
      metrics.failed(Failure.UNREACHABLE);
      log.log(Level.WARNING, "tokenreview-failed", () -> "the TokenReview on cluster '"
          + cluster + "' failed: " + e);
      throw cannotCheck();
    } finally {
      metrics.latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    return caller(answer.getStatus());
  }

  private Caller caller(TokenReviewStatus status) {
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())
        || (status.getError() != null && !status.getError().isBlank())) {
      metrics.failed(Failure.REJECTED);
      String why = status == null || status.getError() == null ? "" : status.getError();
      log.log(Level.INFO, "tokenreview-rejected", () -> "the API server of cluster '" + cluster
          + "' did not accept a token" + (why.isBlank() ? "" : ": " + why));
      throw SignetException.unauthenticated("the API server did not accept the token for "
          + "audiences " + audiences + " (expired, revoked, or its service account or pod is "
          + "gone)");
    }
    // As the TokenReview API asks of a client that sets spec.audiences: an answer that names
    // none of them (an audience-unaware reviewer, or the API server's own default audience)
    // says nothing about these audiences.
    List<String> granted = status.getAudiences() == null ? List.of() : status.getAudiences();
    if (granted.stream().noneMatch(audiences::contains)) {
      metrics.failed(Failure.AUDIENCE);
      log.log(Level.WARNING, "tokenreview-audience", () -> "the API server of cluster '"
          + cluster + "' authenticated a token for audiences " + granted + ", none of "
          + audiences + "; refused (is the reviewer audience-aware?)");
      throw SignetException.unauthenticated("the token was not accepted for audiences "
          + audiences + " (auth.audiences; Istio's TOKEN_AUDIENCES)");
    }
    UserInfo user = status.getUser();
    String name = user == null ? null : user.getUsername();
    List<String> groups = user == null || user.getGroups() == null ? List.of() : user.getGroups();
    if (name == null || !name.startsWith(SA_PREFIX) || !groups.contains(SA_GROUP)) {
      metrics.failed(Failure.NOT_SERVICE_ACCOUNT);
      throw SignetException.unauthenticated("the token does not authenticate a service account "
          + "(system:serviceaccount:<namespace>:<name> in group " + SA_GROUP + ")");
    }
    String[] parts = name.substring(SA_PREFIX.length()).split(":", -1);
    SpiffeId identity;
    try {
      if (parts.length != 2) {
        throw new IllegalArgumentException("not <namespace>:<name>");
      }
      identity = SpiffeId.of(trustDomain, parts[0], parts[1]);
    } catch (IllegalArgumentException e) {
      metrics.failed(Failure.NOT_SERVICE_ACCOUNT);
      throw SignetException.unauthenticated("the token's service account is not a valid "
          + "identity: " + e.getMessage());
    }
    Map<String, List<String>> extra = user.getExtra() == null ? Map.of() : user.getExtra();
    return new Caller(identity, "tokenreview", first(extra.get(POD_NAME)),
        first(extra.get(POD_UID)));
  }

  /**
   * The caller learns that the check could not be made and should retry; what went wrong
   * (HTTP code, the API server's text, RBAC) is logged here, not told.
   */
  private SignetException unavailable(KubernetesClientException e) {
    int code = e.getCode();
    if (code == 401 || code == 403) {
      metrics.failed(Failure.FORBIDDEN);
      log.log(Level.WARNING, "tokenreview-forbidden", () -> "Signet may not create TokenReviews "
          + "on the API server of cluster '" + cluster + "' (HTTP " + code + "); check its "
          + "credentials and RBAC (deploy/kubernetes)");
    } else if (code >= 400) {
      metrics.failed(Failure.SERVER_ERROR);
      log.log(Level.WARNING, "tokenreview-http", () -> "the API server of cluster '" + cluster
          + "' failed the TokenReview (HTTP " + code + "): " + e.getMessage());
    } else {
      // No HTTP answer at all: connection refused, TLS failure, timeout.
      metrics.failed(Failure.UNREACHABLE);
      log.log(Level.WARNING, "tokenreview-unreachable", () -> "the API server of cluster '"
          + cluster + "' cannot be reached for a TokenReview: " + e.getMessage());
    }
    return cannotCheck();
  }

  private static SignetException cannotCheck() {
    return SignetException.unavailable("the token cannot be checked right now; retry", null);
  }

  private static Optional<String> first(List<String> values) {
    return values == null || values.isEmpty() || values.get(0).isBlank() ? Optional.empty()
        : Optional.of(values.get(0));
  }
}
