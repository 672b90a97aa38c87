package dev.signet.csr;

/**
 * A CSR that passed every check: its signature verified, its key is an allowed type and size,
 * and it names exactly one URI.
 *
 * @param publicKeyInfo the DER SubjectPublicKeyInfo, copied into the certificate verbatim
 * @param uri the one URI SAN the CSR asks for
 * @param keyType "RSA-2048", "EC-P256", ... for metrics and the audit log
 */
public record CertificateRequest(byte[] publicKeyInfo, String uri, String keyType) {
  public CertificateRequest {
    publicKeyInfo = publicKeyInfo.clone();
  }

  @Override
  public byte[] publicKeyInfo() {
    return publicKeyInfo.clone();
  }
}
