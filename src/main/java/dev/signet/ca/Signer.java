package dev.signet.ca;

/**
 * Signs certificate bodies with a CA key. A local key signs in-process; a Vault Transit key signs
 * remotely. Implementations are safe for concurrent use.
 */
public interface Signer {
  /** The DER AlgorithmIdentifier of the signatures this signer makes. */
  byte[] algorithmIdentifier();

  /**
   * Signs the DER of a TBSCertificate.
   *
   * @throws dev.signet.error.SignetException UNAVAILABLE when a remote signer cannot be reached
   */
  byte[] sign(byte[] tbs);

  /** Whether {@link #sign} computes in this process, without waiting on I/O. */
  default boolean signsInProcess() {
    return false;
  }
}
