package dev.signet.auth;

import com.nimbusds.jwt.JWTParser;
import java.time.Instant;
import java.util.Date;
import java.util.Optional;

/**
 * The {@code exp} claim of a JWT, read without verifying anything: only to bound how long a
 * verdict about the token may be remembered, never to decide whether it is valid.
 */
final class JwtExpiry {
  private JwtExpiry() {}

  static Optional<Instant> of(String token) {
    try {
      Date exp = JWTParser.parse(token).getJWTClaimsSet().getExpirationTime();
      return Optional.ofNullable(exp).map(Date::toInstant);
    } catch (java.text.ParseException | RuntimeException e) {
      return Optional.empty();
    }
  }
}
