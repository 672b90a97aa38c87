package dev.signet.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.kube.trust.IstiodCertPublisher;
import dev.signet.kube.trust.KubeWrites;
import dev.signet.kube.trust.RootCertPublisher;
import dev.signet.pki.Pem;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.Poll;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.Signature;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The leader's other duties against a real API server: istiod's serving certificate in Secret
 * istiod-tls (renewed early), the trust bundle limited to a namespace selector, and
 * {@code signet_kube_writes_total} on /metrics counting the writes that succeed and, for a
 * replica whose RBAC may not write ConfigMaps, those that fail.
 */
class LeaderDutiesTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  @TempDir static Path dir;
  static KubeSignet signet;

  @BeforeAll
  static void start() throws Exception {
    signet = KubeSignet.start(dir,
        "kubernetes.kubeconfig=" + KubeSignet.signetKubeconfig(kube, "signet"),
        "kubernetes.istiod-cert.enabled=true",
        "kubernetes.istiod-cert.revision=canary",
        "kubernetes.istiod-cert.revisions=canary,blue,default",
        "kubernetes.istiod-cert.dns-names=istiod.mesh.example.com",
        "kubernetes.istiod-cert.ttl=9s",
        "kubernetes.trust-bundle.enabled=true",
        "kubernetes.trust-bundle.namespace-selector=istio-injection=enabled",
        "kubernetes.leader-election.lease-duration=4s",
        "kubernetes.leader-election.renew-deadline=3s",
        "kubernetes.leader-election.retry-period=500ms");
  }

  @AfterAll
  static void stop() {
    if (signet != null) {
      signet.close();
    }
  }

  private static Secret secret() {
    return kube.admin().secrets().inNamespace("istio-system")
        .withName(IstiodCertPublisher.SECRET).get();
  }

  private static String field(Secret s, String key) {
    return new String(Base64.getDecoder().decode(s.getData().get(key)),
        StandardCharsets.US_ASCII);
  }

  private static X509Certificate leaf(Secret s) throws Exception {
    return Pem.certificates(field(s, "tls.crt")).get(0);
  }

  @Test
  void theLeaderWritesAnIstiodShapedCertificateAndRenewsItEarly() throws Exception {
    Poll.until(() -> secret() != null, Duration.ofSeconds(30), "Secret istiod-tls");
    Secret s = secret();
    assertThat(s.getType()).isEqualTo("kubernetes.io/tls");
    X509Certificate leaf = leaf(s);
    List<String> names = new ArrayList<>();
    leaf.getSubjectAlternativeNames().forEach(san -> names.add(String.valueOf(san.get(1))));
    // Every revision's Service and service account, and the custom host (ISTIOD_CUSTOM_HOST).
    assertThat(names).containsExactlyInAnyOrder("istiod.istio-system.svc",
        "istiod-canary.istio-system.svc", "istiod-blue.istio-system.svc",
        "istiod.mesh.example.com",
        "spiffe://cluster.local/ns/istio-system/sa/istiod-canary",
        "spiffe://cluster.local/ns/istio-system/sa/istiod-blue",
        "spiffe://cluster.local/ns/istio-system/sa/istiod");
    // A P-256 key: KeyUsage digitalSignature only (RFC 8813 section 3).
    assertThat(leaf.getKeyUsage()).containsExactly(true, false, false, false, false, false, false,
        false, false);
    // Chains to the CA's roots, which ca.crt carries.
    List<X509Certificate> chain = Pem.certificates(field(s, "tls.crt"));
    leaf.verify(chain.get(1).getPublicKey());
    assertThat(Pem.certificates(field(s, "ca.crt")))
        .isEqualTo(Pem.certificates(Files.readString(dir.resolve("root-cert.pem"))));
    // tls.key is the certificate's key.
    byte[] der = Pem.decodeAll(field(s, "tls.key")).get(0).der();
    PrivateKey key = KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der));
    Signature sig = Signature.getInstance("SHA256withECDSA");
    sig.initSign(key);
    sig.update(new byte[] {1, 2, 3});
    byte[] signed = sig.sign();
    sig.initVerify(leaf.getPublicKey());
    sig.update(new byte[] {1, 2, 3});
    assertThat(sig.verify(signed)).isTrue();

    // A 9 s certificate is renewed after two thirds of its life, before it expires.
    var serial = leaf.getSerialNumber();
    Poll.until(() -> {
      try {
        return !leaf(secret()).getSerialNumber().equals(serial);
      } catch (Exception e) {
        return false;
      }
    }, Duration.ofSeconds(20), "renewal");
    assertThat(leaf(secret()).getNotBefore()).isBeforeOrEqualTo(leaf.getNotAfter());
  }

  @Test
  void theTrustBundleGoesOnlyToSelectedNamespaces() {
    kube.createNamespace("meshed", "istio-injection", "enabled");
    kube.createNamespace("plain");
    Poll.until(() -> configMap("meshed") != null, Duration.ofSeconds(30), "meshed ConfigMap");
    assertThat(configMap("plain")).isNull();
    assertThat(configMap("kube-system")).isNull();
    kube.createNamespace("plain", "istio-injection", "enabled");
    Poll.until(() -> configMap("plain") != null, Duration.ofSeconds(30),
        "ConfigMap once the namespace is labelled");
  }

  private static io.fabric8.kubernetes.api.model.ConfigMap configMap(String namespace) {
    return kube.admin().configMaps().inNamespace(namespace)
        .withName(RootCertPublisher.NAME).get();
  }

  private static double writes(KubeSignet signet, String object, String result) {
    return signet.scraped("signet_kube_writes_total", "object", object, "result", result);
  }

  @Test
  void theIstiodCertificatesExpiryIsAGaugeOfTheLeader() {
    Poll.until(() -> secret() != null, Duration.ofSeconds(30), "Secret istiod-tls");
    // The certificate lives 9 s and is renewed every 6: the gauge follows the Secret's leaf.
    Poll.until(() -> {
      try {
        return signet.scraped("signet_istiod_cert_expiry_timestamp_seconds")
            == leaf(secret()).getNotAfter().getTime() / 1000;
      } catch (Exception e) {
        return false;
      }
    }, Duration.ofSeconds(30), "signet_istiod_cert_expiry_timestamp_seconds = the leaf's NotAfter");
  }

  @Test
  void successfulWritesAreCountedOk() {
    Poll.until(() -> secret() != null, Duration.ofSeconds(30), "Secret istiod-tls");
    double secretsBefore = writes(signet, KubeWrites.ISTIOD_TLS, "ok");
    assertThat(secretsBefore).isGreaterThanOrEqualTo(1);
    kube.admin().secrets().inNamespace("istio-system").withName(IstiodCertPublisher.SECRET)
        .delete();
    Poll.until(() -> writes(signet, KubeWrites.ISTIOD_TLS, "ok") > secretsBefore,
        Duration.ofSeconds(30), "istiod-tls rewrite counted ok");

    double configMapsBefore = writes(signet, KubeWrites.ROOT_CERT_CONFIGMAP, "ok");
    kube.createNamespace("counted", "istio-injection", "enabled");
    Poll.until(() -> writes(signet, KubeWrites.ROOT_CERT_CONFIGMAP, "ok") > configMapsBefore,
        Duration.ofSeconds(30), "istio-ca-root-cert create counted ok");
    assertThat(configMap("counted")).isNotNull();

    // Nothing in this class makes a ConfigMap write fail. (A Secret deleted between the check's
    // read and its update can fail one, so istiod-tls errors are not asserted here.)
    assertThat(writes(signet, KubeWrites.ROOT_CERT_CONFIGMAP, "error")).isZero();
  }

  @Test
  void writesThatRbacForbidsAreCountedAsErrors() throws Exception {
    kube.createNamespace("frozen");
    kube.admin().configMaps().inNamespace("frozen").resource(new ConfigMapBuilder()
        .withNewMetadata().withName(RootCertPublisher.NAME).endMetadata()
        .withData(Map.of(RootCertPublisher.KEY, "stale")).build()).create();
    kube.createNamespace("frozen", "signet-test", "read-only");
    try (KubeSignet readOnly = KubeSignet.start(dir,
        "kubernetes.kubeconfig=" + KubeSignet.configMapReaderKubeconfig(kube, "signet-reader"),
        "kubernetes.trust-bundle.enabled=true",
        "kubernetes.trust-bundle.namespace-selector=signet-test=read-only",
        "kubernetes.istiod-cert.enabled=false",
        "kubernetes.leader-election.lease-name=signet-reader-leader",
        "kubernetes.leader-election.lease-duration=4s",
        "kubernetes.leader-election.renew-deadline=3s",
        "kubernetes.leader-election.retry-period=500ms")) {
      // The stale ConfigMap cannot be updated.
      Poll.until(() -> writes(readOnly, KubeWrites.ROOT_CERT_CONFIGMAP, "error") >= 1,
          Duration.ofSeconds(30), "a forbidden update counted as an error");
      // Nor can one be created in a new namespace.
      double before = writes(readOnly, KubeWrites.ROOT_CERT_CONFIGMAP, "error");
      kube.createNamespace("frozen-new", "signet-test", "read-only");
      Poll.until(() -> writes(readOnly, KubeWrites.ROOT_CERT_CONFIGMAP, "error") > before,
          Duration.ofSeconds(30), "a forbidden create counted as an error");

      assertThat(readOnly.server.leading()).isTrue();
      assertThat(writes(readOnly, KubeWrites.ROOT_CERT_CONFIGMAP, "ok")).isZero();
      assertThat(configMap("frozen").getData()).containsEntry(RootCertPublisher.KEY, "stale");
      assertThat(configMap("frozen-new")).isNull();
      // Only the duty it has is metered.
      assertThat(writes(readOnly, KubeWrites.ISTIOD_TLS, "error")).isNaN();
    }
  }

  @Test
  void aDeletedSecretIsWrittenAgain() {
    Poll.until(() -> secret() != null, Duration.ofSeconds(30), "Secret istiod-tls");
    kube.admin().secrets().inNamespace("istio-system").withName(IstiodCertPublisher.SECRET)
        .delete();
    Poll.until(() -> secret() != null, Duration.ofSeconds(30), "Secret istiod-tls again");
  }
}
