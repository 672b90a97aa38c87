package dev.signet.kube;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.testing.KubeTestCluster;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * deploy/kubernetes/rbac.yaml applied to a real API server grants Signet's account what it
 * uses (the other kube tests run Signet as that account) and nothing beyond it.
 */
class RbacTest {
  @RegisterExtension static final KubeTestCluster kube = new KubeTestCluster();

  @BeforeAll
  static void apply() throws Exception {
    KubeSignet.signetKubeconfig(kube, "signet");
  }

  private static boolean allowed(String verb, String group, String resource, String namespace,
      String name) {
    return kube.serviceAccountMay("signet-system", "signet", verb, group, resource, namespace,
        name);
  }

  @Test
  void grantsWhatSignetUses() {
    assertThat(allowed("create", "authentication.k8s.io", "tokenreviews", null, null)).isTrue();
    assertThat(allowed("watch", "", "pods", null, null)).isTrue();
    assertThat(allowed("list", "", "namespaces", null, null)).isTrue();
    assertThat(allowed("update", "", "configmaps", "kube-system", "istio-ca-root-cert"))
        .isTrue();
    assertThat(allowed("update", "coordination.k8s.io", "leases", "signet-system",
        "signet-leader")).isTrue();
    assertThat(allowed("update", "", "secrets", "istio-system", "istiod-tls")).isTrue();
  }

  @Test
  void grantsNothingElse() {
    assertThat(allowed("get", "", "secrets", "istio-system", "istio-ca-secret")).isFalse();
    assertThat(allowed("get", "", "secrets", "default", "anything")).isFalse();
    assertThat(allowed("list", "", "secrets", null, null)).isFalse();
    assertThat(allowed("delete", "", "configmaps", "default", "istio-ca-root-cert")).isFalse();
    assertThat(allowed("create", "", "pods", "default", null)).isFalse();
    assertThat(allowed("update", "coordination.k8s.io", "leases", "kube-system", "x"))
        .isFalse();
    assertThat(allowed("create", "", "serviceaccounts/token", "default", "x")).isFalse();
  }
}
