package dev.signet.auth;

import static java.util.Objects.requireNonNull;

import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jose.util.JSONObjectUtils;
import dev.signet.error.SignetException;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Cheap local checks of a bearer token before the authenticator behind it spends a signature
 * check or an API-server round trip on it: a signed JWT in shape (three base64url parts, a JSON
 * header whose {@code alg} is one Signet accepts, never {@code none}), an {@code exp} in the
 * future (60 s skew, as the API server allows), an {@code aud} that names one of
 * {@code auth.audiences}, and, when the cluster has one configured, the expected {@code iss}.
 *
 * <p>Nothing here trusts the token: a token that passes still needs the real check. A token that
 * fails is refused with UNAUTHENTICATED and a message that says which check failed. Such a
 * refusal needs no I/O, so {@link #answersAtOnce} says so and pins it.
 */
public final class TokenPrecheck implements Authenticator {
  /** The JWS algorithms Signet accepts (those the API server and Istio issue tokens with). */
  public static final Set<String> ALGORITHMS =
      Set.of("RS256", "RS384", "RS512", "PS256", "ES256", "ES384");
  static final Duration SKEW = Duration.ofSeconds(60);
  private static final Pattern BASE64URL = Pattern.compile("[A-Za-z0-9_-]+");

  private final Authenticator delegate;
  private final List<String> audiences;
  private final Optional<String> issuer;
  private final Clock clock;

  /**
   * @param issuer the {@code iss} this cluster's tokens must carry; empty: not checked here
   */
  public TokenPrecheck(Authenticator delegate, List<String> audiences, Optional<String> issuer,
      Clock clock) {
    this.delegate = requireNonNull(delegate, "delegate");
    this.audiences = List.copyOf(audiences);
    this.issuer = requireNonNull(issuer, "issuer").filter(s -> !s.isEmpty());
    this.clock = requireNonNull(clock, "clock");
  }

  @Override
  public Caller authenticate(Credentials credentials) {
    Optional<String> token = credentials.bearerToken();
    if (token.isPresent()) {
      refusal(token.get()).ifPresent(why -> {
        throw SignetException.unauthenticated(why);
      });
    }
    return delegate.authenticate(credentials);
  }

  @Override
  public boolean answersAtOnce(Credentials credentials) {
    Optional<String> token = credentials.bearerToken();
    if (token.isPresent()) {
      Optional<String> why = refusal(token.get());
      if (why.isPresent()) {
        String message = why.get();
        credentials.pin(() -> {
          throw SignetException.unauthenticated(message);
        });
        return true;
      }
    }
    return delegate.answersAtOnce(credentials);
  }

  /** Why the token cannot be valid, or empty when it may be. */
  Optional<String> refusal(String token) {
    if (token.isEmpty()) {
      return Optional.of("the authorization header says Bearer but carries no token");
    }
    if (token.indexOf(' ') >= 0) {
      return Optional.of("the authorization header is not 'Bearer <token>'");
    }
    String[] parts = token.split("\\.", -1);
    if (parts.length == 5) {
      return Optional.of("the bearer token is an encrypted JWT (JWE); send the signed "
          + "service-account token");
    }
    if (parts.length != 3 || !BASE64URL.matcher(parts[0]).matches()
        || !BASE64URL.matcher(parts[1]).matches()) {
      return Optional.of("the bearer token is not a JWT (three base64url parts separated by "
          + "'.')");
    }
    Map<String, Object> header = json(parts[0]);
    if (header == null) {
      return Optional.of("the bearer token's header is not JSON");
    }
    Object alg = header.get("alg");
    if (!(alg instanceof String a) || a.isEmpty()) {
      return Optional.of("the bearer token's header has no alg");
    }
    if (a.equalsIgnoreCase("none")) {
      return Optional.of("the bearer token is not signed (alg none)");
    }
    if (!ALGORITHMS.contains(a)) {
      return Optional.of("the bearer token's signing algorithm is not one Signet accepts "
          + "(" + String.join(", ", new java.util.TreeSet<>(ALGORITHMS)) + ")");
    }
    if (parts[2].isEmpty() || !BASE64URL.matcher(parts[2]).matches()) {
      return Optional.of("the bearer token has no signature");
    }
    Map<String, Object> claims = json(parts[1]);
    if (claims == null) {
      return Optional.of("the bearer token's claims are not JSON");
    }
    if (!(claims.get("exp") instanceof Number exp)) {
      return Optional.of("the bearer token has no exp claim");
    }
    if (!Instant.ofEpochSecond(exp.longValue()).plus(SKEW).isAfter(clock.instant())) {
      return Optional.of("the bearer token has expired; the agent must send a fresh projected "
          + "token");
    }
    if (!audienceMatches(claims.get("aud"))) {
      return Optional.of("the bearer token's audience is not one of " + audiences
          + " (auth.audiences; Istio's TOKEN_AUDIENCES)");
    }
    if (issuer.isPresent() && !issuer.get().equals(claims.get("iss"))) {
      return Optional.of("the bearer token's issuer is not the one configured for its cluster "
          + "(auth.jwt.issuer, auth.tokenreview.issuer or the cluster's issuer in "
          + "auth.clusters)");
    }
    return Optional.empty();
  }

  private boolean audienceMatches(Object aud) {
    if (aud instanceof String s) {
      return audiences.contains(s);
    }
    if (aud instanceof List<?> l) {
      for (Object o : l) {
        if (o instanceof String s && audiences.contains(s)) {
          return true;
        }
      }
    }
    return false;
  }

  private static Map<String, Object> json(String part) {
    try {
      return JSONObjectUtils.parse(new Base64URL(part).decodeToString());
    } catch (ParseException | RuntimeException e) {
      return null;
    }
  }
}
