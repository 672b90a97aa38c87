package dev.signet.dev;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import dev.signet.config.ConfigLoader;
import dev.signet.pki.KeyFiles;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.text.ParseException;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Dev mode's token issuer: an ECDSA P-256 key in the dev directory and its public JWKS, which the
 * JWT authenticator reads. Tokens look like Kubernetes projected service-account tokens.
 */
public final class DevTokens {
  public static final String KEY_FILE = "token-signing-key.json";
  public static final String JWKS_FILE = "jwks.json";

  private final ECKey key;

  private DevTokens(ECKey key) {
    this.key = key;
  }

  /** Loads the issuer key from {@code dir}, creating it (and {@code jwks.json}) on first use. */
  public static DevTokens open(Path dir) throws IOException {
    Path keyFile = dir.resolve(KEY_FILE);
    try {
      if (Files.exists(keyFile)) {
        return new DevTokens(ECKey.parse(Files.readString(keyFile, StandardCharsets.UTF_8)));
      }
      ECKey key = new ECKeyGenerator(Curve.P_256).keyID(UUID.randomUUID().toString())
          .algorithm(JWSAlgorithm.ES256).generate();
      KeyFiles.writeSecret(keyFile, key.toJSONString());
      KeyFiles.writePublic(dir.resolve(JWKS_FILE), new JWKSet(key.toPublicJWK()).toString());
      return new DevTokens(key);
    } catch (ParseException e) {
      throw new IOException(keyFile + " is not a JWK", e);
    } catch (JOSEException e) {
      throw new IOException("cannot generate the dev token key", e);
    }
  }

  /** A service-account token for {@code namespace}/{@code serviceAccount}. */
  public String issue(String namespace, String serviceAccount, List<String> audiences,
      Duration ttl) {
    Instant now = Instant.now();
    JWTClaimsSet claims = new JWTClaimsSet.Builder()
        .issuer(ConfigLoader.DEV_ISSUER)
        .subject("system:serviceaccount:" + namespace + ":" + serviceAccount)
        .audience(audiences)
        .issueTime(Date.from(now))
        .notBeforeTime(Date.from(now))
        .expirationTime(Date.from(now.plus(ttl)))
        .jwtID(UUID.randomUUID().toString())
        .claim("kubernetes.io", Map.of(
            "namespace", namespace,
            "serviceaccount", Map.of("name", serviceAccount, "uid", UUID.randomUUID().toString())))
        .build();
    SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.ES256)
        .keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), claims);
    try {
      jwt.sign(new ECDSASigner(key));
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a dev token", e);
    }
    return jwt.serialize();
  }
}
