package dev.signet.hostile;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.signet.dev.DevTokens;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.text.ParseException;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.UUID;

/** Tokens an attacker can make without any key, and one a key holder would mint wrongly. */
final class Forgery {
  private static final SecureRandom RANDOM = new SecureRandom();
  static final String API_ISSUER = "https://kubernetes.default.svc";

  private Forgery() {}

  /**
   * A token that looks like a service-account token in every cheap respect (RS256, aud
   * istio-ca, exp in an hour, the API server's issuer) but whose signature is random bytes:
   * only a real check can refuse it. Each one is different.
   */
  static String forged() {
    return token("{\"alg\":\"RS256\",\"kid\":\"" + UUID.randomUUID() + "\"}",
        "{\"iss\":\"" + API_ISSUER + "\",\"sub\":\"system:serviceaccount:shop:cart\","
            + "\"aud\":[\"istio-ca\"],\"exp\":" + Instant.now().plusSeconds(3600).getEpochSecond()
            + ",\"jti\":\"" + UUID.randomUUID() + "\"}",
        random(256));
  }

  /** A token of the given header and claims JSON with the given signature part. */
  static String token(String header, String claims, String signature) {
    return b64(header.getBytes(StandardCharsets.UTF_8)) + "."
        + b64(claims.getBytes(StandardCharsets.UTF_8)) + "." + signature;
  }

  static String random(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return b64(b);
  }

  static String b64(byte[] b) {
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  /** A token correctly signed by dev mode's own issuer key in {@code devDir}, without exp. */
  static String devTokenWithoutExp(Path devDir) throws IOException {
    try {
      ECKey key = ECKey.parse(Files.readString(devDir.resolve(DevTokens.KEY_FILE)));
      SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
          .keyID(key.getKeyID()).build(), new JWTClaimsSet.Builder()
          .issuer("signet-dev").subject("system:serviceaccount:shop:cart")
          .audience("istio-ca").issueTime(Date.from(Instant.now())).build());
      jwt.sign(new ECDSASigner(key));
      return jwt.serialize();
    } catch (ParseException | JOSEException e) {
      throw new IOException("cannot sign with the dev key", e);
    }
  }
}
