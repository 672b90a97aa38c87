package dev.signet.csr;

import dev.signet.crypto.CryptoProvider;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Signature;
import java.util.HashMap;
import java.util.Map;

/**
 * One thread's key factories and signature objects, looked up in the provider once and reused:
 * {@link Signature#initVerify} resets an instance for each new key.
 */
final class Verifiers {
  private final CryptoProvider crypto;
  private final Map<String, Signature> signatures = new HashMap<>();
  private KeyFactory rsa;
  private KeyFactory ec;

  Verifiers(CryptoProvider crypto) {
    this.crypto = crypto;
  }

  KeyFactory keyFactory(boolean rsaKey) throws GeneralSecurityException {
    if (rsaKey) {
      return rsa != null ? rsa : (rsa = crypto.keyFactory("RSA"));
    }
    return ec != null ? ec : (ec = crypto.keyFactory("EC"));
  }

  Signature signature(String algorithm) throws GeneralSecurityException {
    Signature s = signatures.get(algorithm);
    if (s == null) {
      s = crypto.signature(algorithm);
      signatures.put(algorithm, s);
    }
    return s;
  }
}
