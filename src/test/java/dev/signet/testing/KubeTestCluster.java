package dev.signet.testing;

import dev.signet.pki.Pem;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceAccountBuilder;
import io.fabric8.kubernetes.api.model.authentication.BoundObjectReferenceBuilder;
import io.fabric8.kubernetes.api.model.authentication.TokenRequest;
import io.fabric8.kubernetes.api.model.authentication.TokenRequestBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.ResourceAttributesBuilder;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReview;
import io.fabric8.kubernetes.api.model.authorization.v1.SubjectAccessReviewBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import java.security.KeyStore;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A real Kubernetes control plane for tests: etcd plus kube-apiserver as plain processes on
 * loopback ports chosen at run time, with temporary data directories, a service-account signing
 * key the test owns and an admin token. There is no kubelet or controller manager: pods are
 * created with a {@code nodeName} and stay Pending, which is all Signet needs.
 *
 * <p>Use it as {@code @RegisterExtension static KubeTestCluster kube = new KubeTestCluster();}
 * (one cluster per test class: start-up takes seconds) or with try-with-resources.
 */
public final class KubeTestCluster implements AutoCloseable, BeforeAllCallback, AfterAllCallback {
  /** The audience Istio's agents ask for. */
  public static final String ISTIO_CA = "istio-ca";
  private static final String ISSUER = "https://kubernetes.default.svc";
  private static final Duration START_TIMEOUT = Duration.ofSeconds(90);

  private final String adminToken = randomToken();
  private Path dir;
  private LocalProcess etcd;
  private LocalProcess apiserver;
  private int apiPort;
  private KeyPair serviceAccountKeys;
  private KubernetesClient admin;
  private String caPem;
  private String etcdUrl;

  /** Starts etcd and kube-apiserver; idempotent. */
  public synchronized KubeTestCluster start() throws IOException {
    if (admin != null) {
      return this;
    }
    Path etcdBin = TestTools.require("SIGNET_ETCD", "etcd.sh");
    Path apiBin = TestTools.require("SIGNET_KUBE_APISERVER", "kube-apiserver.sh");
    dir = Files.createTempDirectory("signet-kube-");
    try {
      startEtcd(etcdBin);
      startApiServer(apiBin);
      admin = client(adminToken);
      return this;
    } catch (IOException | RuntimeException | Error e) {
      close();
      throw e;
    }
  }

  private void startEtcd(Path bin) throws IOException {
    int client = LocalProcess.freePort();
    int peer = LocalProcess.freePort();
    String clientUrl = "http://127.0.0.1:" + client;
    String peerUrl = "http://127.0.0.1:" + peer;
    etcd = LocalProcess.start("etcd", dir, List.of(bin.toString(),
        "--name=signet-test",
        "--data-dir=" + dir.resolve("etcd-data"),
        "--listen-client-urls=" + clientUrl,
        "--advertise-client-urls=" + clientUrl,
        "--listen-peer-urls=" + peerUrl,
        "--initial-advertise-peer-urls=" + peerUrl,
        "--initial-cluster=signet-test=" + peerUrl,
        "--initial-cluster-state=new"));
    HttpClient http = HttpClient.newHttpClient();
    etcd.awaitReady(() -> {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(clientUrl + "/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 && r.body().contains("true");
    }, START_TIMEOUT);
    this.etcdUrl = clientUrl;
  }

  private void startApiServer(Path bin) throws IOException {
    serviceAccountKeys = rsaKeys();
    Path saKey = dir.resolve("sa.key");
    Path saPub = dir.resolve("sa.pub");
    Files.writeString(saKey, Pem.encode("PRIVATE KEY", serviceAccountKeys.getPrivate().getEncoded()));
    Files.writeString(saPub, Pem.encode("PUBLIC KEY", serviceAccountKeys.getPublic().getEncoded()));
    Path tokens = dir.resolve("tokens.csv");
    Files.writeString(tokens, adminToken + ",admin,admin,system:masters\n");
    Path certDir = dir.resolve("certs");
    Files.createDirectories(certDir);
    apiPort = LocalProcess.freePort();
    List<String> args = new ArrayList<>(List.of(bin.toString(),
        "--etcd-servers=" + etcdUrl,
        "--bind-address=127.0.0.1",
        "--advertise-address=127.0.0.1",
        // The kubernetes Service endpoint may not be loopback; no Service is needed here.
        "--endpoint-reconciler-type=none",
        "--secure-port=" + apiPort,
        "--cert-dir=" + certDir,
        "--service-cluster-ip-range=10.96.0.0/24",
        "--service-account-issuer=" + ISSUER,
        "--service-account-key-file=" + saPub,
        "--service-account-signing-key-file=" + saKey,
        "--api-audiences=" + ISSUER,
        "--token-auth-file=" + tokens,
        "--authorization-mode=RBAC",
        "--enable-priority-and-fairness=false",
        "--profiling=false",
        "--v=1"));
    apiserver = LocalProcess.start("kube-apiserver", dir, args);
    // It writes its self-signed serving certificate before it listens; trust exactly that.
    Path servingCert = certDir.resolve("apiserver.crt");
    apiserver.awaitReady(() -> Files.size(servingCert) > 0, START_TIMEOUT);
    caPem = Files.readString(servingCert);
    HttpClient http = HttpClient.newBuilder().sslContext(trusting(caPem)).build();
    apiserver.awaitReady(() -> {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url() + "/readyz"))
              .header("Authorization", "Bearer " + adminToken)
              .timeout(Duration.ofSeconds(5)).build(),
          HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200;
    }, START_TIMEOUT);
  }

  /** The API server's URL, {@code https://127.0.0.1:<port>}. */
  public String url() {
    return "https://127.0.0.1:" + apiPort;
  }

  /**
   * Whether RBAC on this API server lets service account {@code saNamespace/saName} do
   * {@code verb} on the resource (a SubjectAccessReview; {@code namespace} and {@code name} may
   * be null for cluster-wide and unnamed checks).
   */
  public boolean serviceAccountMay(String saNamespace, String saName, String verb, String group,
      String resource, String namespace, String name) {
    SubjectAccessReview review = admin().authorization().v1().subjectAccessReview()
        .create(new SubjectAccessReviewBuilder().withNewSpec()
            .withUser("system:serviceaccount:" + saNamespace + ":" + saName)
            .withGroups("system:serviceaccounts", "system:serviceaccounts:" + saNamespace,
                "system:authenticated")
            .withResourceAttributes(new ResourceAttributesBuilder().withVerb(verb)
                .withGroup(group).withResource(resource).withNamespace(namespace)
                .withName(name).build())
            .endSpec().build());
    return Boolean.TRUE.equals(review.getStatus().getAllowed());
  }

  /** A client with cluster-admin rights (system:masters). */
  public KubernetesClient admin() {
    if (admin == null) {
      throw new IllegalStateException("the cluster is not started");
    }
    return admin;
  }

  /** A client that authenticates with {@code bearerToken}. */
  public KubernetesClient client(String bearerToken) {
    Config config = new ConfigBuilder(Config.empty())
        .withMasterUrl(url())
        .withCaCertData(base64(caPemOrEmpty()))
        .withOauthToken(bearerToken)
        .withRequestTimeout(10_000)
        .build();
    return new KubernetesClientBuilder().withConfig(config).build();
  }

  /**
   * Writes a kubeconfig that reaches this API server with {@code bearerToken}, verifying its
   * serving certificate, and returns its path.
   */
  public Path kubeconfig(String name, String bearerToken) throws IOException {
    return kubeconfigAt(name, url(), bearerToken);
  }

  /** Writes a kubeconfig for {@code server} (e.g. an address where nothing listens). */
  public Path kubeconfigAt(String name, String server, String bearerToken) throws IOException {
    Path file = dir.resolve("kubeconfig-" + name + ".yaml");
    Files.writeString(file, String.join("\n",
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- name: test",
        "  cluster:",
        "    server: " + server,
        "    certificate-authority-data: " + base64(caPemOrEmpty()),
        "users:",
        "- name: " + name,
        "  user:",
        "    token: " + bearerToken,
        "contexts:",
        "- name: test",
        "  context:",
        "    cluster: test",
        "    user: " + name,
        "current-context: test",
        ""));
    return file;
  }

  /** The kube-apiserver's process id (benchmarks read its CPU from /proc). */
  public long apiServerPid() {
    return apiserver.pid();
  }

  /** A kubeconfig with cluster-admin rights. */
  public Path adminKubeconfig() throws IOException {
    return kubeconfig("admin", adminToken);
  }

  /** Creates a namespace (with optional labels) unless it exists. */
  public void createNamespace(String name, String... labels) {
    NamespaceBuilder ns = new NamespaceBuilder().withNewMetadata().withName(name).endMetadata();
    for (int i = 0; i + 1 < labels.length; i += 2) {
      ns.editMetadata().addToLabels(labels[i], labels[i + 1]).endMetadata();
    }
    admin().namespaces().resource(ns.build()).serverSideApply();
  }

  /** Creates a service account (and its namespace) unless they exist. */
  public void createServiceAccount(String namespace, String name) {
    createNamespace(namespace);
    admin().serviceAccounts().inNamespace(namespace).resource(new ServiceAccountBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata().build())
        .serverSideApply();
  }

  /** Creates a pod running as {@code serviceAccount} scheduled onto {@code node}. */
  public Pod createPod(String namespace, String name, String serviceAccount, String node) {
    createServiceAccount(namespace, serviceAccount);
    return admin().pods().inNamespace(namespace).resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(namespace).endMetadata()
        .withNewSpec()
        .withServiceAccountName(serviceAccount)
        .withAutomountServiceAccountToken(false)
        .withNodeName(node)
        .addNewContainer().withName("app").withImage("example.invalid/app:1").endContainer()
        .endSpec().build()).create();
  }

  /** A token for {@code namespace/serviceAccount} with audience istio-ca, valid 10 minutes. */
  public String token(String namespace, String serviceAccount) {
    return token(namespace, serviceAccount, ISTIO_CA, Optional.empty(), Duration.ofMinutes(10));
  }

  /** A token bound to {@code pod}, with audience istio-ca, valid 10 minutes. */
  public String token(Pod pod) {
    return token(pod.getMetadata().getNamespace(), pod.getSpec().getServiceAccountName(),
        ISTIO_CA, Optional.of(pod), Duration.ofMinutes(10));
  }

  /**
   * A token from the TokenRequest API.
   *
   * @param lifetime at least 10 minutes: the API server's minimum
   */
  public String token(String namespace, String serviceAccount, String audience,
      Optional<Pod> boundTo, Duration lifetime) {
    TokenRequestBuilder request = new TokenRequestBuilder().withNewSpec()
        .withAudiences(audience).withExpirationSeconds(lifetime.toSeconds()).endSpec();
    boundTo.ifPresent(p -> request.editSpec().withBoundObjectRef(new BoundObjectReferenceBuilder()
        .withApiVersion("v1").withKind("Pod").withName(p.getMetadata().getName())
        .withUid(p.getMetadata().getUid()).build()).endSpec());
    TokenRequest answer = admin().serviceAccounts().inNamespace(namespace).withName(serviceAccount)
        .tokenRequest(request.build());
    return answer.getStatus().getToken();
  }

  /**
   * Re-signs a token the API server issued with the same key and claims but a different expiry.
   * The TokenRequest API refuses lifetimes under 10 minutes, so this is how a test gets a token
   * that expires in seconds (or already has) and still lets the API server judge it.
   */
  public String withExpiry(String token, Instant expiry) {
    return ServiceAccountTokens.withExpiry(token, expiry, serviceAccountKeys.getPrivate());
  }

  /**
   * Writes the service-account verification key as a JWKS file (what the issuer's
   * {@code /openid/v1/jwks} serves) and returns its path, for offline JWT authentication.
   */
  public Path jwksFile() throws IOException {
    java.security.interfaces.RSAPublicKey pub =
        (java.security.interfaces.RSAPublicKey) serviceAccountKeys.getPublic();
    createServiceAccount("default", "jwks-probe");
    String kid = ServiceAccountTokens.keyId(token("default", "jwks-probe"));
    String jwks = new com.nimbusds.jose.jwk.JWKSet(new com.nimbusds.jose.jwk.RSAKey.Builder(pub)
        .keyID(kid).algorithm(com.nimbusds.jose.JWSAlgorithm.RS256)
        .keyUse(com.nimbusds.jose.jwk.KeyUse.SIGNATURE).build()).toString();
    Path file = dir.resolve("jwks.json");
    Files.writeString(file, jwks);
    return file;
  }

  /** The API server's serving CA, PEM. */
  public String caPem() {
    return caPemOrEmpty();
  }

  /** The API server's serving certificates. */
  public List<X509Certificate> caCertificates() throws Exception {
    return Pem.certificates(caPemOrEmpty());
  }

  private String caPemOrEmpty() {
    return caPem == null ? "" : caPem;
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    start();
  }

  @Override
  public void afterAll(ExtensionContext context) {
    close();
  }

  @Override
  public synchronized void close() {
    if (admin != null) {
      admin.close();
      admin = null;
    }
    if (apiserver != null) {
      apiserver.close();
      apiserver = null;
    }
    if (etcd != null) {
      etcd.close();
      etcd = null;
    }
    if (dir != null) {
      LocalProcess.deleteTree(dir);
      dir = null;
    }
  }

  private static KeyPair rsaKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String randomToken() {
    byte[] b = new byte[24];
    new SecureRandom().nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  private static String base64(String s) {
    return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.US_ASCII));
  }

  private static SSLContext trusting(String pem) throws IOException {
    try {
      return sslTrusting(pem);
    } catch (java.security.GeneralSecurityException e) {
      throw new IOException("cannot trust the API server's serving certificate", e);
    }
  }

  /** A TLS context that trusts exactly the certificates in {@code pem}. */
  public static SSLContext sslTrusting(String pem) throws java.security.GeneralSecurityException,
      IOException {
    KeyStore trust = KeyStore.getInstance(KeyStore.getDefaultType());
    trust.load(null, null);
    int i = 0;
    for (X509Certificate c : Pem.certificates(pem)) {
      trust.setCertificateEntry("apiserver-" + i++, c);
    }
    TrustManagerFactory tmf =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init(trust);
    SSLContext ssl = SSLContext.getInstance("TLS");
    ssl.init(null, tmf.getTrustManagers(), new SecureRandom());
    return ssl;
  }
}
