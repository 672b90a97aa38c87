package dev.signet.testing;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.security.PrivateKey;
import java.text.ParseException;
import java.time.Instant;
import java.util.Date;

/** Re-signs service-account tokens with the test cluster's own signing key. */
final class ServiceAccountTokens {
  private ServiceAccountTokens() {}

  /** The key id in a token's header. */
  static String keyId(String token) {
    try {
      return SignedJWT.parse(token).getHeader().getKeyID();
    } catch (ParseException e) {
      throw new IllegalStateException("not a JWT", e);
    }
  }

  /** The same header (kid) and claims as {@code token}, with {@code exp} replaced. */
  static String withExpiry(String token, Instant expiry, PrivateKey signingKey) {
    try {
      SignedJWT original = SignedJWT.parse(token);
      JWSHeader header = original.getHeader();
      JWTClaimsSet claims = new JWTClaimsSet.Builder(original.getJWTClaimsSet())
          .expirationTime(Date.from(expiry)).build();
      SignedJWT resigned = new SignedJWT(header, claims);
      resigned.sign(new RSASSASigner(signingKey));
      return resigned.serialize();
    } catch (ParseException | JOSEException e) {
      throw new IllegalStateException("cannot re-sign the test token", e);
    }
  }
}
