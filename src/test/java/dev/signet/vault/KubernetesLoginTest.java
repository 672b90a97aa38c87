package dev.signet.vault;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.client.SignetClient;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.VaultServer;
import io.fabric8.kubernetes.api.model.rbac.ClusterRoleBindingBuilder;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Signet logs in to a real Vault with Kubernetes auth: a projected service-account token
 * (audience {@code vault}) from a real API server, which Vault checks there with a TokenReview.
 * The role and policy are the ones deploy/vault/setup.sh creates for vault-kv.
 */
class KubernetesLoginTest {
  static final String NAMESPACE = "signet-system";
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();
  // A local process: Vault reviews the login tokens at the tests' API server on 127.0.0.1.
  @RegisterExtension static final VaultFixture fixture = VaultFixture.local();
  @TempDir static Path dir;

  @BeforeAll
  static void pointVaultAtTheApiServer() throws IOException {
    // Vault reviews login tokens as kube-system/vault-reviewer, which may create TokenReviews.
    kube.createServiceAccount("kube-system", "vault-reviewer");
    kube.admin().rbac().clusterRoleBindings().resource(new ClusterRoleBindingBuilder()
        .withNewMetadata().withName("vault-tokenreview").endMetadata()
        .withNewRoleRef().withApiGroup("rbac.authorization.k8s.io").withKind("ClusterRole")
        .withName("system:auth-delegator").endRoleRef()
        .addNewSubject().withKind("ServiceAccount").withName("vault-reviewer")
        .withNamespace("kube-system").endSubject().build()).create();
    String reviewer = kube.token("kube-system", "vault-reviewer",
        "https://kubernetes.default.svc", Optional.empty(), Duration.ofHours(1));
    fixture.vault().root("POST", "auth/kubernetes/config", "{\"kubernetes_host\":"
        + VaultServer.quote(kube.url()) + ",\"kubernetes_ca_cert\":"
        + VaultServer.quote(kube.caPem()) + ",\"token_reviewer_jwt\":"
        + VaultServer.quote(reviewer) + ",\"disable_local_ca_jwt\":true}");
    kube.createNamespace(NAMESPACE);
    kube.createServiceAccount(NAMESPACE, "signet");
    kube.createServiceAccount(NAMESPACE, "intruder");
  }

  private static String[] kubernetesLogin(String serviceAccount, Path d) throws IOException {
    Path jwt = d.resolve("vault-token");
    Files.writeString(jwt, kube.token(NAMESPACE, serviceAccount, "vault", Optional.empty(),
        Duration.ofHours(1)));
    return new String[] {
        "ca.vault.address=" + fixture.vault().address(), "ca.vault.allow-insecure-http=true",
        "ca.vault.auth.method=kubernetes",
        "ca.vault.auth.role=signet-kv",
        "ca.vault.auth.jwt-file=" + jwt,
    };
  }

  @Test
  void logsInWithItsServiceAccountTokenAndSigns() throws Exception {
    Path d = Files.createDirectory(dir.resolve("signet"));
    try (VaultSignet signet = VaultSignet.start(d, "vault-kv", kubernetesLogin("signet", d));
        SignetClient client = signet.client()) {
      assertThat(VaultSignet.issueAndVerify(client, signet.token(), signet.roots())
          .intermediates()).isNotEmpty();
    }
  }

  @Test
  void aTokenForAnotherServiceAccountIsRefusedByVault() throws Exception {
    Path d = Files.createDirectory(dir.resolve("intruder"));
    assertThatThrownBy(() -> VaultSignet.start(d, "vault-kv", kubernetesLogin("intruder", d)))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("cannot log in to Vault")
        .hasMessageContaining("Vault login (kubernetes)")
        .hasMessageContaining("HTTP 403")
        .hasMessageContaining("service account name not authorized");
  }
}
