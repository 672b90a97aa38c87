package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.signet.ca.CaFiles;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.pki.ProofTime;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import org.bouncycastle.asn1.ASN1GeneralizedTime;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.ASN1Sequence;
import org.bouncycastle.asn1.x509.Attribute;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 9: renewal with a certificate alone cannot extend an identity past
 * {@code auth.client-cert.max-age} after its last token proof. Each renewed leaf carries the
 * proof time forward and ends by proof time + max-age; at that point renewal is refused.
 */
class RenewalProofAgeTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";

  @TempDir Path dir;

  @Test
  void renewalsInARowKeepTheFirstTokenProofAndEndByItsMaxAge() throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir, "auth.client-cert.max-age=3h")) {
      KeyPair keys = CsrBuilder.ecP256();
      X509Certificate leaf;
      try (SignetClient client = signet.client()) {
        leaf = TestLeaves.certificate(client.createCertificate(CsrBuilder.istioAgent(keys, ID),
            Duration.ofHours(24), signet.token("shop", "cart"), Duration.ofSeconds(30)).get(0));
      }
      // Issued for a token: no marker, and a full 24 h.
      assertThat(leaf.getExtensionValue(ProofTime.EXTENSION_OID)).isNull();
      Instant proof = leaf.getNotBefore().toInstant().plus(Duration.ofMinutes(2));
      assertThat(leaf.getNotAfter().toInstant()).isAfter(proof.plus(Duration.ofHours(3)));

      // The API server is gone: the workload renews three times with only its certificate.
      for (int i = 0; i < 3; i++) {
        KeyPair next = CsrBuilder.ecP256();
        leaf = renew(signet, keys, leaf, next);
        keys = next;
        assertThat(proofTimeIn(leaf)).isEqualTo(proof);
        assertThat(leaf.getNotAfter().toInstant()).isBeforeOrEqualTo(proof.plus(
            Duration.ofHours(3)));
      }
    }
  }

  @Test
  void renewalIsRefusedOnceTheTokenProofIsMaxAgeOld() throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir)) {
      // Leaves signed with Signet's own signing key, dated as if Signet had issued them earlier.
      X509Certificate signing = TestLeaves.certificates(dir.resolve(CaFiles.CA_CERT)).get(0);
      PrivateKey signingKey = TestLeaves.privateKey(dir.resolve(CaFiles.CA_KEY));
      KeyPair keys = CsrBuilder.ecP256();
      Instant now = Instant.now();

      // Issued for a token 25 h ago (no marker): its proof is past the 24 h default max-age.
      X509Certificate oldToken = TestLeaves.leaf(signing, signingKey, keys.getPublic(), ID,
          now.minus(Duration.ofHours(25)), now.plus(Duration.ofHours(1)), null);
      assertRefused(signet, keys, oldToken);

      // Renewed an hour ago, carrying a token proof of 25 h ago.
      X509Certificate oldProof = TestLeaves.leaf(signing, signingKey, keys.getPublic(), ID,
          now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)),
          now.minus(Duration.ofHours(25)));
      assertRefused(signet, keys, oldProof);

      // A proof of 23 h ago still renews, for the hour that is left, and carries the proof on.
      Instant proof = now.minus(Duration.ofHours(23)).truncatedTo(ChronoUnit.SECONDS);
      X509Certificate young = TestLeaves.leaf(signing, signingKey, keys.getPublic(), ID,
          now.minus(Duration.ofHours(1)), now.plus(Duration.ofHours(1)), proof);
      X509Certificate renewed = renew(signet, keys, young, CsrBuilder.ecP256());
      assertThat(proofTimeIn(renewed)).isEqualTo(proof);
      assertThat(renewed.getNotAfter().toInstant()).isEqualTo(proof.plus(Duration.ofHours(24)));

      // A token always works: a fresh proof.
      try (SignetClient client = signet.client()) {
        assertThat(client.createCertificate(CsrBuilder.istioAgent(CsrBuilder.ecP256(), ID),
            Duration.ofHours(1), signet.token("shop", "cart"), Duration.ofSeconds(30)))
            .isNotEmpty();
      }
    }
  }

  private static X509Certificate renew(HostileSignet signet, KeyPair keys, X509Certificate leaf,
      KeyPair next) throws Exception {
    // The TLS client sends a certificate only with its issuer (the server names the roots).
    X509Certificate signing = TestLeaves.certificates(signet.dir.resolve(CaFiles.CA_CERT))
        .get(0);
    try (SignetClient client = signet.client(keys.getPrivate(), List.of(leaf, signing))) {
      return TestLeaves.certificate(client.createCertificate(CsrBuilder.istioAgent(next, ID),
          Duration.ofHours(24), null, Duration.ofSeconds(30)).get(0));
    }
  }

  private static void assertRefused(HostileSignet signet, KeyPair keys, X509Certificate leaf) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> renew(signet, keys, leaf, CsrBuilder.ecP256()));
    assertThat(e).as("renewal with a proof older than max-age").isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription())
        .contains("authenticate with a service-account token");
  }

  /**
   * The proof time a renewed leaf carries, read with Bouncy Castle rather than Signet's reader:
   * SubjectDirectoryAttributes holding one attribute of the proof-time type.
   */
  private static Instant proofTimeIn(X509Certificate leaf) throws Exception {
    byte[] ext = leaf.getExtensionValue(ProofTime.EXTENSION_OID);
    assertThat(ext).as("the renewed leaf carries the proof time").isNotNull();
    assertThat(leaf.getNonCriticalExtensionOIDs()).contains(ProofTime.EXTENSION_OID);
    ASN1Sequence attributes = ASN1Sequence.getInstance(
        ASN1OctetString.getInstance(ext).getOctets());
    assertThat(attributes.size()).isEqualTo(1);
    Attribute attribute = Attribute.getInstance(attributes.getObjectAt(0));
    assertThat(attribute.getAttrType().getId()).isEqualTo(ProofTime.OID);
    assertThat(attribute.getAttrValues().size()).isEqualTo(1);
    return ASN1GeneralizedTime.getInstance(attribute.getAttrValues().getObjectAt(0)).getDate()
        .toInstant();
  }
}
