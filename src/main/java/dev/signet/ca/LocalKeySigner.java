package dev.signet.ca;

import static java.util.Objects.requireNonNull;

import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;

/**
 * Signs with a private key held in this process. One initialised {@link Signature} per thread,
 * so the hot path neither looks up the provider nor re-initialises the key.
 */
public final class LocalKeySigner implements Signer {
  private final byte[] algorithmIdentifier;
  private final ThreadLocal<Signature> signatures;

  public LocalKeySigner(PrivateKey key, PublicKey publicKey, CryptoProvider crypto) {
    requireNonNull(key, "key");
    requireNonNull(crypto, "crypto");
    SigningAuthority.requireSupported(key);
    String algorithm = SigningAuthority.signatureAlgorithm(publicKey);
    this.algorithmIdentifier = SigningAuthority.algorithmIdentifier(algorithm);
    this.signatures = ThreadLocal.withInitial(() -> {
      try {
        Signature s = crypto.signature(algorithm);
        s.initSign(key);
        return s;
      } catch (GeneralSecurityException e) {
        throw SignetException.internal("cannot initialise " + algorithm + " signing", e);
      }
    });
    // Fail at load time, not on the first request, if the key does not work with the provider.
    signatures.get();
  }

  @Override
  public boolean signsInProcess() {
    return true;
  }

  @Override
  public byte[] algorithmIdentifier() {
    return algorithmIdentifier.clone();
  }

  @Override
  public byte[] sign(byte[] tbs) {
    Signature s = signatures.get();
    try {
      s.update(tbs);
      return s.sign();
    } catch (GeneralSecurityException e) {
      signatures.remove();
      throw SignetException.internal("signing failed", e);
    }
  }

  @Override
  public String toString() {
    return "LocalKeySigner";
  }
}
