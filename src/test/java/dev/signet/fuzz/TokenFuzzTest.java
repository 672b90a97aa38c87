package dev.signet.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.code_intelligence.jazzer.junit.FuzzTest;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.jwk.gen.RSAKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.JWTParser;
import dev.signet.auth.Authenticator;
import dev.signet.auth.Caller;
import dev.signet.auth.Credentials;
import dev.signet.auth.JwtAuthenticator;
import dev.signet.config.SignetConfig.Jwt;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Timeout;

/**
 * The bearer-token path of offline JWT authentication: {@link JwtAuthenticator} against a JWKS
 * file made for the run. A token may only be refused as UNAUTHENTICATED, and no refusal may
 * quote it.
 *
 * <p>Input: the first byte chooses the form. Even: the rest is the token text (UTF-8). Odd: the
 * rest is a JWS header and payload, split at the first zero byte (no zero: the payload under an
 * ES256 header), signed here with the JWKS's EC key so the fuzzer reaches the claim checks. A
 * token accepted must have the configured issuer and audience and a matching identity.
 */
class TokenFuzzTest {
  private static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
  private static final String AUDIENCE = "istio-ca";
  private static final String TRUST_DOMAIN = "cluster.local";
  static final String EC_KID = "fuzz-ec";
  static final String DEFAULT_HEADER = "{\"alg\":\"ES256\",\"kid\":\"" + EC_KID + "\"}";
  /** Segments this long or longer would be the token, not a word of a message. */
  private static final int QUOTE_LENGTH = 16;

  private static final ECKey KEY;
  private static final Authenticator AUTHENTICATOR;
  private static final ECDSASigner SIGNER;

  static {
    try {
      KEY = new ECKeyGenerator(Curve.P_256).keyID(EC_KID).algorithm(JWSAlgorithm.ES256)
          .generate();
      JWKSet jwks = new JWKSet(List.of(KEY.toPublicJWK(),
          new RSAKeyGenerator(2048).keyID("fuzz-rsa").generate().toPublicJWK()));
      Path dir = Files.createTempDirectory("signet-fuzz-jwks");
      Path file = Files.writeString(dir.resolve("jwks.json"), jwks.toString());
      file.toFile().deleteOnExit();
      dir.toFile().deleteOnExit();
      CryptoProvider crypto = CryptoProvider.select(ProviderChoice.AUTO);
      AUTHENTICATOR = JwtAuthenticator.create(
          new Jwt(ISSUER, Optional.of(file), Optional.empty()), List.of(AUDIENCE), TRUST_DOMAIN,
          crypto);
      SIGNER = new ECDSASigner(KEY);
      SIGNER.getJCAContext().setProvider(crypto.provider());
    } catch (IOException | JOSEException e) {
      throw new IllegalStateException("cannot set up the token fuzz target", e);
    }
  }

  @FuzzTest
  @Timeout(10)
  void refusesAnyBadTokenAsUnauthenticatedWithoutQuotingIt(byte[] input) throws Exception {
    FuzzInput in = FuzzInput.of(input);
    String token = in.mode() % 2 == 0
        ? new String(in.bytes(), StandardCharsets.UTF_8)
        : signed(in.bytes());
    Caller caller;
    try {
      caller = AUTHENTICATOR.authenticate(new Credentials(Optional.of(token), List.of(), ""));
    } catch (SignetException e) {
      assertThat(e.kind()).as(e.getMessage()).isEqualTo(SignetException.Kind.UNAUTHENTICATED);
      assertDoesNotQuote(e.getMessage(), token);
      return;
    }
    // Accepted: an independent reading of the claims must agree.
    JWTClaimsSet claims = JWTParser.parse(token).getJWTClaimsSet();
    assertThat(claims.getIssuer()).isEqualTo(ISSUER);
    assertThat(claims.getAudience()).contains(AUDIENCE);
    assertThat(claims.getExpirationTime()).isNotNull();
    String[] sa = claims.getSubject().substring("system:serviceaccount:".length()).split(":");
    assertThat(caller.identity().toString())
        .isEqualTo("spiffe://" + TRUST_DOMAIN + "/ns/" + sa[0] + "/sa/" + sa[1]);
  }

  private static void assertDoesNotQuote(String message, String token) {
    for (String part : token.split("\\.")) {
      if (part.length() >= QUOTE_LENGTH) {
        assertThat(message).doesNotContain(part);
      }
    }
  }

  /** A compact JWS of the header and payload bytes, with a real ES256 signature over them. */
  private static String signed(byte[] content) throws JOSEException {
    int zero = indexOf(content, (byte) 0);
    byte[] header = zero < 0 ? DEFAULT_HEADER.getBytes(StandardCharsets.UTF_8)
        : Arrays.copyOf(content, zero);
    byte[] payload = zero < 0 ? content : Arrays.copyOfRange(content, zero + 1, content.length);
    String signingInput = Base64URL.encode(header) + "." + Base64URL.encode(payload);
    Base64URL signature = SIGNER.sign(new JWSHeader(JWSAlgorithm.ES256),
        signingInput.getBytes(StandardCharsets.US_ASCII));
    return signingInput + "." + signature;
  }

  private static int indexOf(byte[] bytes, byte b) {
    for (int i = 0; i < bytes.length; i++) {
      if (bytes[i] == b) {
        return i;
      }
    }
    return -1;
  }
}
