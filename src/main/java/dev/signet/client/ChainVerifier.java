package dev.signet.client;

import dev.signet.pki.Pem;
import java.security.GeneralSecurityException;
import java.security.PublicKey;
import java.security.cert.CertPathValidator;
import java.security.cert.CertificateFactory;
import java.security.cert.PKIXParameters;
import java.security.cert.TrustAnchor;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Checks a CreateCertificate response the way a careful agent would: at least two elements, the
 * leaf for our key and exactly the identity we asked for, each middle element one certificate,
 * and the whole chain valid (PKIX, JDK provider) up to the roots we trust.
 */
public final class ChainVerifier {
  private ChainVerifier() {}

  /** The parsed response: leaf, intermediates (nearest first) and the root bundle. */
  public record VerifiedChain(X509Certificate leaf, List<X509Certificate> intermediates,
      List<X509Certificate> roots) {}

  /**
   * Verifies {@code response} for {@code key} and {@code uri}, trusting {@code trusted} (the
   * response's own root bundle when empty).
   */
  public static VerifiedChain verify(List<String> response, PublicKey key, String uri,
      List<X509Certificate> trusted) throws GeneralSecurityException {
    if (response.size() < 2) {
      throw new GeneralSecurityException("the response has " + response.size()
          + " elements; Istio needs at least 2 (leaf ... root bundle)");
    }
    X509Certificate leaf = single(response.get(0), "the leaf");
    List<X509Certificate> middle = new ArrayList<>();
    for (int i = 1; i < response.size() - 1; i++) {
      middle.add(single(response.get(i), "element " + i));
    }
    List<X509Certificate> roots = Pem.certificates(response.get(response.size() - 1));
    if (roots.isEmpty()) {
      throw new GeneralSecurityException("the last element holds no root certificate");
    }
    if (!Arrays.equals(leaf.getPublicKey().getEncoded(), key.getEncoded())) {
      throw new GeneralSecurityException("the leaf is not for the key in the CSR");
    }
    Collection<List<?>> sans = leaf.getSubjectAlternativeNames();
    if (sans == null || sans.size() != 1 || !Integer.valueOf(6).equals(sans.iterator().next().get(0))
        || !uri.equals(sans.iterator().next().get(1))) {
      throw new GeneralSecurityException("the leaf does not name exactly " + uri);
    }
    Set<TrustAnchor> anchors = new HashSet<>();
    for (X509Certificate r : trusted.isEmpty() ? roots : trusted) {
      anchors.add(new TrustAnchor(r, null));
    }
    PKIXParameters params = new PKIXParameters(anchors);
    params.setRevocationEnabled(false);
    List<X509Certificate> path = new ArrayList<>();
    path.add(leaf);
    path.addAll(middle);
    CertPathValidator.getInstance("PKIX").validate(
        CertificateFactory.getInstance("X.509").generateCertPath(path), params);
    return new VerifiedChain(leaf, middle, roots);
  }

  private static X509Certificate single(String pem, String what)
      throws GeneralSecurityException {
    List<X509Certificate> certs = Pem.certificates(pem);
    if (certs.size() != 1) {
      throw new GeneralSecurityException(what + " holds " + certs.size()
          + " certificates; it must hold exactly one");
    }
    return certs.get(0);
  }
}
