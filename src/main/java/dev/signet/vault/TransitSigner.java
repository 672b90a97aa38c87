package dev.signet.vault;

import static java.util.Objects.requireNonNull;

import dev.signet.ca.Signer;
import dev.signet.ca.SigningAuthority;
import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.RSAKey;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Signs TBSCertificates with one version of a Vault Transit key: hashes locally, sends only the
 * digest ({@code prehashed}, DER {@code asn1} ECDSA signatures, {@code pkcs1v15} for RSA), and
 * verifies every returned signature against the CA certificate's public key before it is used,
 * so a signature from another key or key version can never end up in a certificate.
 */
final class TransitSigner implements Signer, AutoCloseable {
  private final byte[] algorithmIdentifier;
  private final String digestAlgorithm;
  private final int keyVersion;
  private final TransitBatcher batcher;
  private final long waitMillis;
  private final ThreadLocal<Signature> verifiers;
  private final ThreadLocal<MessageDigest> digests;

  /**
   * @param crypto the provider that checks Vault's signatures: one check per certificate, so
   *     the selected (native) provider, not the JDK's much slower ECDSA
   */
  TransitSigner(PublicKey caKey, int keyVersion, TransitBatcher batcher, Duration maxWait,
      CryptoProvider crypto) {
    String jca = SigningAuthority.signatureAlgorithm(caKey);
    this.algorithmIdentifier = SigningAuthority.algorithmIdentifier(jca);
    this.digestAlgorithm = jca.startsWith("SHA384") ? "SHA-384" : "SHA-256";
    this.keyVersion = keyVersion;
    this.batcher = requireNonNull(batcher);
    this.waitMillis = maxWait.toMillis();
    this.verifiers = ThreadLocal.withInitial(() -> {
      try {
        Signature s = crypto.signature(jca);
        s.initVerify(caKey);
        return s;
      } catch (GeneralSecurityException e) {
        throw SignetException.internal("cannot verify " + jca, e);
      }
    });
    this.digests = ThreadLocal.withInitial(() -> {
      try {
        return MessageDigest.getInstance(digestAlgorithm);
      } catch (GeneralSecurityException e) {
        throw SignetException.internal("no " + digestAlgorithm, e);
      }
    });
    verifiers.get();
  }

  /** The request fields every sign call for this key carries (besides the inputs). */
  static Map<String, Object> parameters(PublicKey caKey, int keyVersion) {
    Map<String, Object> p = new LinkedHashMap<>();
    p.put("prehashed", Boolean.TRUE);
    p.put("key_version", keyVersion);
    boolean sha384 = SigningAuthority.signatureAlgorithm(caKey).startsWith("SHA384");
    p.put("hash_algorithm", sha384 ? "sha2-384" : "sha2-256");
    if (caKey instanceof RSAKey) {
      p.put("signature_algorithm", "pkcs1v15");
    } else {
      p.put("marshaling_algorithm", "asn1");
    }
    return p;
  }

  @Override
  public byte[] algorithmIdentifier() {
    return algorithmIdentifier.clone();
  }

  /**
   * {@inheritDoc}
   *
   * @throws SignetException UNAVAILABLE with a message that names no Vault detail (the details
   *     are logged)
   */
  @Override
  public byte[] sign(byte[] tbs) {
    try {
      return signWithVault(tbs);
    } catch (SignetException e) {
      if (e.kind() != SignetException.Kind.UNAVAILABLE) {
        throw e;
      }
      throw batcher.callerFailures().forCaller(e);
    }
  }

  private byte[] signWithVault(byte[] tbs) {
    byte[] digest = digests.get().digest(tbs);
    TransitBatcher.Signed signed;
    try {
      signed = batcher.submit(digest).get(waitMillis, TimeUnit.MILLISECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof SignetException s) {
        throw s;
      }
      throw SignetException.unavailable("Vault Transit signing failed", e.getCause());
    } catch (TimeoutException e) {
      throw SignetException.unavailable("Vault Transit did not sign within " + waitMillis
          + " ms", null);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw SignetException.unavailable("interrupted while waiting for Vault Transit", null);
    }
    if (signed.keyVersion() != keyVersion) {
      throw SignetException.unavailable("Vault Transit signed with key version "
          + signed.keyVersion() + " but the CA certificate is for version " + keyVersion, null);
    }
    Signature v = verifiers.get();
    try {
      v.update(tbs);
      if (!v.verify(signed.signature())) {
        throw SignetException.unavailable("Vault Transit returned a signature that does not "
            + "verify with the CA certificate's key; no certificate was issued", null);
      }
    } catch (GeneralSecurityException e) {
      verifiers.remove();
      throw SignetException.unavailable("Vault Transit returned an unusable signature", null);
    }
    return signed.signature();
  }

  /** Stops the batcher; later signatures fail with UNAVAILABLE. */
  @Override
  public void close() {
    batcher.close();
  }

  @Override
  public String toString() {
    return "TransitSigner[v" + keyVersion + "]";
  }
}
