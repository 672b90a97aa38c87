package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import dev.signet.auth.Caller;
import dev.signet.auth.ClientCertAuthenticator;
import dev.signet.auth.Credentials;
import dev.signet.ca.CaFiles;
import dev.signet.ca.FilesCaSource;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.dev.DevCa;
import dev.signet.error.SignetException;
import dev.signet.pki.CaCertificates;
import dev.signet.pki.KeyFiles;
import dev.signet.pki.Pem;
import dev.signet.testing.ManualClock;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 8: renewal with a client certificate accepts only leaves Signet's own signing
 * certificate signed (the current one, or the one it replaced, for at most the longest leaf
 * TTL), not any leaf that chains to the root.
 */
class ForeignLeafRenewalTest {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";
  private static final String NOT_ISSUED = "was not issued by this CA's signing certificate";

  @TempDir Path dir;

  @Test
  void leavesOfTheRootOrOfASiblingIntermediateCannotRenew() throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir, "ca.files.reload-interval=1h")) {
      X509Certificate root = TestLeaves.certificates(dir.resolve(CaFiles.ROOT_CERT)).get(0);
      PrivateKey rootKey = TestLeaves.privateKey(dir.resolve(DevCa.ROOT_KEY));
      X509Certificate signing = TestLeaves.certificates(dir.resolve(CaFiles.CA_CERT)).get(0);
      KeyPair workload = CsrBuilder.ecP256();
      Instant now = Instant.now();

      // Signed by the root itself, sent with the root: a valid path to root-cert.pem.
      X509Certificate byRoot = TestLeaves.leaf(root, rootKey, workload.getPublic(), ID,
          now.minusSeconds(120), now.plusSeconds(3600), null);
      assertRenewalRefused(signet, workload, List.of(byRoot, root));

      // A sibling intermediate under the same root, even with the signing certificate's name.
      KeyPair siblingKeys = CaCertificates.ecKeyPair("secp256r1");
      X509Certificate sibling = CaCertificates.intermediate(
          "O=signet-dev,CN=Signet dev signing CA", siblingKeys.getPublic(), root, rootKey,
          Duration.ofDays(30), 0);
      assertThat(sibling.getSubjectX500Principal()).isEqualTo(signing.getSubjectX500Principal());
      X509Certificate bySibling = TestLeaves.leaf(sibling, siblingKeys.getPrivate(),
          workload.getPublic(), ID, now.minusSeconds(120), now.plusSeconds(3600), null);
      assertRenewalRefused(signet, workload, List.of(bySibling, sibling));
      assertRenewalRefused(signet, workload, List.of(bySibling, sibling, root));

      // What Signet issued still renews.
      List<X509Certificate> issued = issueWithToken(signet, workload);
      assertThat(renew(signet, workload, issued)).isNotEmpty();
    }
  }

  @Test
  void aLeafOfTheReplacedSigningCertificateRenewsDuringARotation() throws Exception {
    try (HostileSignet signet = HostileSignet.start(dir, "ca.files.reload-interval=1h")) {
      KeyPair workload = CsrBuilder.ecP256();
      List<X509Certificate> before = issueWithToken(signet, workload);
      X509Certificate next = rotate(dir);
      assertThat(((FilesCaSource) signet.server.ca()).reload())
          .isEqualTo(FilesCaSource.ReloadResult.RELOADED);

      // The workload still holds the leaf of the replaced signing certificate: it renews, and
      // the new leaf comes from the new signing certificate.
      List<String> renewed = renew(signet, workload, before);
      X509Certificate leaf = TestLeaves.certificate(renewed.get(0));
      leaf.verify(next.getPublicKey());
    }
  }

  @Test
  void aReplacedSigningCertificateIsForgottenTheLongestLeafTtlAfterItsReplacement()
      throws Exception {
    DevCa.ensure(dir);
    ManualClock clock = new ManualClock();
    CryptoProvider crypto = CryptoProvider.select(ProviderChoice.AUTO);
    AtomicReference<ClientCertAuthenticator> auth = new AtomicReference<>();
    try (FilesCaSource ca = FilesCaSource.open(dir, crypto, null,
        a -> auth.get().caChanged(a))) {
      auth.set(new ClientCertAuthenticator(ca, "cluster.local", Duration.ofHours(24),
          Duration.ofHours(1), clock));
      X509Certificate signing = ca.current().certificate();
      PrivateKey signingKey = TestLeaves.privateKey(dir.resolve(CaFiles.CA_KEY));
      Instant now = clock.instant();
      // A leaf of the first signing certificate, longer-lived than the 1 h max leaf TTL so that
      // only the rotation window, not its own NotAfter, decides.
      X509Certificate leaf = TestLeaves.leaf(signing, signingKey,
          CsrBuilder.ecP256().getPublic(), ID, now.minusSeconds(120), now.plusSeconds(7200),
          null);
      Credentials presented = new Credentials(Optional.empty(), List.of(leaf), "");
      assertThat(auth.get().authenticate(presented).identity().toString()).isEqualTo(ID);

      rotate(dir);
      assertThat(ca.reload()).isEqualTo(FilesCaSource.ReloadResult.RELOADED);
      clock.advance(Duration.ofMinutes(59));
      Caller caller = auth.get().authenticate(presented);
      assertThat(caller.identity().toString()).isEqualTo(ID);

      clock.advance(Duration.ofMinutes(1));
      SignetException refused = catchThrowableOfType(SignetException.class,
          () -> auth.get().authenticate(presented));
      assertThat(refused).isNotNull();
      assertThat(refused.kind()).isEqualTo(SignetException.Kind.UNAUTHENTICATED);
      assertThat(refused.getMessage()).contains(NOT_ISSUED);
    }
  }

  /** Writes a new signing certificate and key under the same root; returns the certificate. */
  static X509Certificate rotate(Path dir) throws Exception {
    X509Certificate root = TestLeaves.certificates(dir.resolve(CaFiles.ROOT_CERT)).get(0);
    PrivateKey rootKey = TestLeaves.privateKey(dir.resolve(DevCa.ROOT_KEY));
    KeyPair keys = CaCertificates.ecKeyPair("secp256r1");
    X509Certificate next = CaCertificates.intermediate("O=signet-dev,CN=Signet dev signing CA 2",
        keys.getPublic(), root, rootKey, Duration.ofDays(30), 0);
    KeyFiles.writePrivateKey(dir.resolve(CaFiles.CA_KEY), keys.getPrivate());
    KeyFiles.writePublic(dir.resolve(CaFiles.CERT_CHAIN), Pem.encode(next) + Pem.encode(root));
    KeyFiles.writePublic(dir.resolve(CaFiles.CA_CERT), Pem.encode(next));
    return next;
  }

  private static List<X509Certificate> issueWithToken(HostileSignet signet, KeyPair keys)
      throws Exception {
    try (SignetClient client = signet.client()) {
      List<String> chain = client.createCertificate(CsrBuilder.istioAgent(keys, ID),
          Duration.ofHours(1), signet.token("shop", "cart"), Duration.ofSeconds(30));
      return List.of(TestLeaves.certificate(chain.get(0)), TestLeaves.certificate(chain.get(1)));
    }
  }

  private static List<String> renew(HostileSignet signet, KeyPair keys,
      List<X509Certificate> presented) throws Exception {
    try (SignetClient client = signet.client(keys.getPrivate(), presented)) {
      return client.createCertificate(CsrBuilder.istioAgent(CsrBuilder.ecP256(), ID),
          Duration.ofHours(1), null, Duration.ofSeconds(30));
    }
  }

  private static void assertRenewalRefused(HostileSignet signet, KeyPair keys,
      List<X509Certificate> presented) {
    StatusRuntimeException e = catchThrowableOfType(StatusRuntimeException.class,
        () -> renew(signet, keys, presented));
    assertThat(e).as("renewal with a leaf of %s", presented.get(0).getIssuerX500Principal())
        .isNotNull();
    assertThat(e.getStatus().getCode()).isEqualTo(Status.Code.UNAUTHENTICATED);
    assertThat(e.getStatus().getDescription()).contains(NOT_ISSUED);
  }
}
