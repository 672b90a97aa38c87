package dev.signet.kube;

import static java.util.Objects.requireNonNull;

import dev.signet.auth.Authenticator;
import dev.signet.auth.Caller;
import dev.signet.auth.Credentials;
import dev.signet.error.SignetException;
import dev.signet.kube.TokenReviewMetrics.Failure;
import dev.signet.spiffe.SpiffeId;
import io.fabric8.kubernetes.api.model.authentication.TokenReview;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenReviewStatus;
import io.fabric8.kubernetes.api.model.authentication.UserInfo;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Authenticates service-account tokens the way istiod does: a Kubernetes TokenReview with the
 * configured audiences, accepting only an authenticated user in group
 * {@code system:serviceaccounts} named {@code system:serviceaccount:<ns>:<sa>}, and keeping the
 * {@code pod-name}/{@code pod-uid} the API server reports for pod-bound tokens.
 *
 * <p>Every call is one review: remembering positive answers and sharing one review among
 * concurrent calls with the same token is {@link dev.signet.auth.CachingAuthenticator}'s job,
 * in front of this. An API server that cannot be reached, times out or answers 5xx makes the
 * request UNAVAILABLE (the caller retries), never UNAUTHENTICATED.
 */
public final class TokenReviewAuthenticator implements Authenticator {
  static final String SA_GROUP = "system:serviceaccounts";
  static final String SA_PREFIX = "system:serviceaccount:";
  static final String POD_NAME = "authentication.kubernetes.io/pod-name";
  static final String POD_UID = "authentication.kubernetes.io/pod-uid";

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
    this(cluster, review -> client.authentication().v1().tokenReviews().create(review),
        audiences, trustDomain, registry);
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
      throw SignetException.unavailable("the TokenReview on cluster '" + cluster + "' failed ("
          + e.getClass().getSimpleName() + "); retry", e);
    } finally {
      metrics.latency.record(System.nanoTime() - start, TimeUnit.NANOSECONDS);
    }
    return caller(answer.getStatus());
  }

  private Caller caller(TokenReviewStatus status) {
    if (status == null || !Boolean.TRUE.equals(status.getAuthenticated())) {
      metrics.failed(Failure.REJECTED);
      String why = status == null || status.getError() == null || status.getError().isBlank()
          ? "" : ": " + status.getError();
      throw SignetException.unauthenticated("the API server of cluster '" + cluster
          + "' did not accept the token for audiences " + audiences + why);
    }
    UserInfo user = status.getUser();
    String name = user == null ? null : user.getUsername();
    List<String> groups = user == null || user.getGroups() == null ? List.of() : user.getGroups();
    if (name == null || !name.startsWith(SA_PREFIX) || !groups.contains(SA_GROUP)) {
      metrics.failed(Failure.NOT_SERVICE_ACCOUNT);
      throw SignetException.unauthenticated("the token authenticates '" + name + "', which is "
          + "not a service account (system:serviceaccount:<namespace>:<name> in group "
          + SA_GROUP + ")");
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
      throw SignetException.unauthenticated("the token's service account '" + name
          + "' is not a valid identity: " + e.getMessage());
    }
    Map<String, List<String>> extra = user.getExtra() == null ? Map.of() : user.getExtra();
    return new Caller(identity, "tokenreview", first(extra.get(POD_NAME)),
        first(extra.get(POD_UID)));
  }

  private SignetException unavailable(KubernetesClientException e) {
    int code = e.getCode();
    if (code == 401 || code == 403) {
      metrics.failed(Failure.FORBIDDEN);
      return SignetException.unavailable("Signet may not create TokenReviews on the API server "
          + "of cluster '" + cluster + "' (HTTP " + code + "); check its credentials and RBAC "
          + "(deploy/kubernetes)", e);
    }
    if (code >= 500) {
      metrics.failed(Failure.SERVER_ERROR);
      return SignetException.unavailable("the API server of cluster '" + cluster
          + "' failed the TokenReview (HTTP " + code + "); retry", e);
    }
    if (code >= 400) {
      metrics.failed(Failure.SERVER_ERROR);
      return SignetException.unavailable("the API server of cluster '" + cluster
          + "' refused the TokenReview request (HTTP " + code + ")", e);
    }
    // No HTTP answer at all: connection refused, TLS failure, timeout.
    metrics.failed(Failure.UNREACHABLE);
    return SignetException.unavailable("the API server of cluster '" + cluster
        + "' cannot be reached for a TokenReview; retry", e);
  }

  private static Optional<String> first(List<String> values) {
    return values == null || values.isEmpty() || values.get(0).isBlank() ? Optional.empty()
        : Optional.of(values.get(0));
  }
}
