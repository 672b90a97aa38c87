package dev.signet.dev;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.JWSSigner;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.RSAKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jwt.JWTClaimsSet;
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
import java.util.HashMap;
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

  private final JWK key;
  private final JWSSigner signer;
  private final JWSAlgorithm algorithm;

  private DevTokens(JWK key) throws JOSEException {
    this.key = key;
    if (key instanceof RSAKey rsa) {
      signer = new RSASSASigner(rsa);
      algorithm = JWSAlgorithm.RS256;
    } else {
      signer = new ECDSASigner(key.toECKey());
      algorithm = JWSAlgorithm.ES256;
    }
  }

  /** Loads the issuer key from {@code dir}, creating a P-256 key (and {@code jwks.json}) on first use. */
  public static DevTokens open(Path dir) throws IOException {
    return open(dir, false);
  }

  /**
   * As {@link #open(Path)}, but a key made here is RSA-2048 (RS256), the key type of
   * kube-apiserver's service-account tokens by default and the only algorithm Istio's own JWT
   * authenticator accepts (the side-by-side benchmarks with istiod's CA use it).
   */
  public static DevTokens openRsa(Path dir) throws IOException {
    return open(dir, true);
  }

  private static DevTokens open(Path dir, boolean rsa) throws IOException {
    Path keyFile = dir.resolve(KEY_FILE);
    try {
      if (Files.exists(keyFile)) {
        return new DevTokens(JWK.parse(Files.readString(keyFile, StandardCharsets.UTF_8)));
      }
      String kid = UUID.randomUUID().toString();
      JWK key = rsa
          ? new RSAKeyGenerator(2048).keyID(kid).algorithm(JWSAlgorithm.RS256).generate()
          : new ECKeyGenerator(Curve.P_256).keyID(kid).algorithm(JWSAlgorithm.ES256).generate();
      Files.createDirectories(dir);
      KeyFiles.writeSecret(keyFile, key.toJSONString());
      KeyFiles.writePublic(dir.resolve(JWKS_FILE), new JWKSet(key.toPublicJWK()).toString());
      return new DevTokens(key);
    } catch (ParseException e) {
      throw new IOException(keyFile + " is not a JWK", e);
    } catch (JOSEException e) {
      throw new IOException("cannot use the dev token key", e);
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
    // As Kubernetes writes them: "aud" is always an array, even with one audience (a JWT
    // library would write a lone audience as a string, which Istio's own authenticator refuses).
    Map<String, Object> payload = new HashMap<>(claims.toJSONObject());
    payload.put("aud", List.copyOf(audiences));
    JWSObject jwt = new JWSObject(new JWSHeader.Builder(algorithm)
        .keyID(key.getKeyID()).type(JOSEObjectType.JWT).build(), new Payload(payload));
    try {
      jwt.sign(signer);
    } catch (JOSEException e) {
      throw new IllegalStateException("cannot sign a dev token", e);
    }
    return jwt.serialize();
  }
}
