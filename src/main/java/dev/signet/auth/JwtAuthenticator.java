package dev.signet.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.jwk.source.JWKSourceBuilder;
import com.nimbusds.jose.proc.BadJOSEException;
import com.nimbusds.jose.proc.JWSVerificationKeySelector;
import com.nimbusds.jose.proc.SecurityContext;
import com.nimbusds.jose.util.DefaultResourceRetriever;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.proc.DefaultJWTClaimsVerifier;
import com.nimbusds.jwt.proc.DefaultJWTProcessor;
import com.nimbusds.jose.crypto.factories.DefaultJWSVerifierFactory;
import dev.signet.crypto.CryptoProvider;
import dev.signet.config.SignetConfig.Jwt;
import dev.signet.error.SignetException;
import dev.signet.logging.ThrottledLog;
import dev.signet.spiffe.SpiffeId;
import java.io.IOException;
import java.net.MalformedURLException;
import java.text.ParseException;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Verifies Kubernetes service-account JWTs offline: signature against a JWKS (file or URL),
 * issuer, audience, expiry and not-before (60 s skew), then maps
 * {@code system:serviceaccount:<ns>:<sa>} to {@code spiffe://<td>/ns/<ns>/sa/<sa>}. The
 * {@code kubernetes.io} claims, when present, must agree with the subject.
 */
public final class JwtAuthenticator implements Authenticator {
  /** Per instance (per cluster), so one cluster's noise never hides another's. */
  private final ThrottledLog log = new ThrottledLog(
      Logger.getLogger(JwtAuthenticator.class.getName()), Duration.ofSeconds(10));
  private static final String SA_PREFIX = "system:serviceaccount:";
  private static final Set<JWSAlgorithm> ALGORITHMS = Set.of(JWSAlgorithm.RS256,
      JWSAlgorithm.RS384, JWSAlgorithm.RS512, JWSAlgorithm.PS256, JWSAlgorithm.ES256,
      JWSAlgorithm.ES384);

  private static final int JWKS_CONNECT_TIMEOUT_MS = 2_000;
  private static final int JWKS_READ_TIMEOUT_MS = 5_000;
  private static final int JWKS_SIZE_LIMIT = 1024 * 1024;

  private final DefaultJWTProcessor<SecurityContext> processor;
  private final String trustDomain;
  private final List<String> audiences;

  private JwtAuthenticator(JWKSource<SecurityContext> keys, Jwt jwt, List<String> audiences,
      String trustDomain, CryptoProvider crypto) {
    this.trustDomain = trustDomain;
    this.audiences = List.copyOf(audiences);
    this.processor = new DefaultJWTProcessor<>();
    processor.setJWSKeySelector(new JWSVerificationKeySelector<>(ALGORITHMS, keys));
    // Verify with the selected provider: the JDK's own ECDSA is tens of times slower.
    DefaultJWSVerifierFactory verifiers = new DefaultJWSVerifierFactory();
    verifiers.getJCAContext().setProvider(crypto.provider());
    processor.setJWSVerifierFactory(verifiers);
    processor.setJWTClaimsSetVerifier(new DefaultJWTClaimsVerifier<>(
        new HashSet<>(audiences),
        new JWTClaimsSet.Builder().issuer(jwt.issuer()).build(),
        Set.of("sub", "exp"), null));
  }

  /** An authenticator for one cluster's JWKS file or URL. */
  public static JwtAuthenticator create(Jwt jwt, List<String> audiences, String trustDomain,
      CryptoProvider crypto) throws IOException {
    if (jwt.jwksFile().isPresent()) {
      return new JwtAuthenticator(new JwksFileSource(jwt.jwksFile().get()), jwt, audiences,
          trustDomain, crypto);
    }
    if (jwt.jwksUrl().isPresent()) {
      try {
        return new JwtAuthenticator(
            JWKSourceBuilder.create(jwt.jwksUrl().get().toURL(),
                new DefaultResourceRetriever(JWKS_CONNECT_TIMEOUT_MS, JWKS_READ_TIMEOUT_MS,
                    JWKS_SIZE_LIMIT)).build(), jwt, audiences,
            trustDomain, crypto);
      } catch (MalformedURLException e) {
        throw new IOException("auth.jwt.jwks-url is not a URL", e);
      }
    }
    throw new IOException("JWT authentication needs auth.jwt.jwks-file or auth.jwt.jwks-url "
        + "(or auth.kind=tokenreview to ask the API server)");
  }

  @Override
  public Caller authenticate(Credentials credentials) {
    String token = credentials.bearerToken()
        .orElseThrow(() -> SignetException.unauthenticated("no bearer token"));
    JWTClaimsSet claims;
    try {
      claims = processor.process(token, null);
    } catch (ParseException e) {
      throw SignetException.unauthenticated("the bearer token is not a JWT");
    } catch (BadJOSEException e) {
      throw SignetException.unauthenticated(explain(e.getMessage()));
    } catch (JOSEException e) {
      throw SignetException.unavailable("the token keys cannot be read right now", e);
    }
    return new Caller(identity(claims), "jwt", podField(claims, "name"),
        podField(claims, "uid"));
  }

  /**
   * Nimbus' terse reasons, said in terms an operator can act on. A reason not recognised here
   * is logged (rate-limited), never passed on: it is a library's wording, not the caller's.
   */
  private String explain(String reason) {
    String r = reason == null ? "" : reason;
    if (r.contains("missing required claims")) {
      return r.contains("exp") ? "the bearer token has no exp claim"
          : "the bearer token has no sub claim";
    }
    if (r.contains("Unsecured") || r.contains("plain")) {
      return "the bearer token is not signed (alg none)";
    }
    if (r.contains("Expired")) {
      return "the bearer token has expired; the agent must send a fresh projected token";
    }
    if (r.contains("audience")) {
      return "the bearer token's audience is not one of " + audiences
          + " (auth.audiences; Istio's TOKEN_AUDIENCES)";
    }
    if (r.contains("iss")) {
      return "the bearer token's issuer is not the one configured for its cluster "
          + "(auth.jwt.issuer)";
    }
    if (r.contains("before use")) {
      return "the bearer token is not valid yet (nbf/iat in the future: check clocks)";
    }
    if (r.contains("signature") || r.contains("matching key")) {
      return "the bearer token's signature does not verify with the configured keys "
          + "(auth.jwt.jwks-file / jwks-url)";
    }
    log.log(Level.INFO, "jwt-rejected", () -> "a bearer token was rejected: " + r);
    return "the bearer token was rejected (not a valid service-account token for this cluster)";
  }

  private SpiffeId identity(JWTClaimsSet claims) {
    String sub = claims.getSubject();
    if (sub == null || !sub.startsWith(SA_PREFIX)) {
      throw SignetException.unauthenticated("the token is not a service-account token (its "
          + "subject is not system:serviceaccount:<namespace>:<name>)");
    }
    String[] parts = sub.substring(SA_PREFIX.length()).split(":", -1);
    if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
      throw SignetException.unauthenticated("the token's subject is not "
          + "system:serviceaccount:<namespace>:<name>");
    }
    Map<String, Object> k8s = map(claims.getClaim("kubernetes.io"));
    if (k8s != null) {
      Object ns = k8s.get("namespace");
      Map<String, Object> sa = map(k8s.get("serviceaccount"));
      Object name = sa == null ? null : sa.get("name");
      if ((ns != null && !ns.equals(parts[0])) || (name != null && !name.equals(parts[1]))) {
        throw SignetException.unauthenticated("the token's kubernetes.io claims disagree with "
            + "its subject");
      }
    }
    try {
      return SpiffeId.of(trustDomain, parts[0], parts[1]);
    } catch (IllegalArgumentException e) {
      throw SignetException.unauthenticated("the token's service account is not a valid "
          + "identity: " + e.getMessage());
    }
  }

  private static Optional<String> podField(JWTClaimsSet claims, String field) {
    Map<String, Object> k8s = map(claims.getClaim("kubernetes.io"));
    Map<String, Object> pod = k8s == null ? null : map(k8s.get("pod"));
    Object value = pod == null ? null : pod.get(field);
    return value == null ? Optional.empty() : Optional.of(value.toString());
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> map(Object o) {
    return o instanceof Map<?, ?> m ? (Map<String, Object>) m : null;
  }
}
