package dev.signet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.pki.Pem;
import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.Poll;
import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Secret;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * Leader failover with Istio running: the Signet leader is killed (SIGKILL, so it releases
 * nothing), and the other replica takes the Lease, repairs what the mesh depends on (a deleted
 * and a tampered root ConfigMap, a deleted istiod-tls) and keeps issuing: a running agent whose
 * CA connection went to the dead replica renews its certificate from the survivor.
 */
final class Failover {
  private Failover() {}

  static void theSurvivorTakesOverTheDuties(KubeTestCluster kube, SignetReplicas replicas,
      ProxylessAgent agent, String roots, String trustBundle) throws Exception {
    String agentCert = Files.readString(agent.outputCerts().resolve("cert-chain.pem"));
    X509Certificate istiodCert = istiodCertificate(kube);
    replicas.leader.kill();
    Poll.until(() -> SignetReplicas.holder(kube).startsWith(replicas.followerName),
        Duration.ofSeconds(60), replicas.followerName + " took the Lease");

    kube.admin().configMaps().inNamespace("late").withName(trustBundle).delete();
    kube.admin().configMaps().inNamespace("istio-system").withName(trustBundle).edit(cm -> {
      cm.getData().put("root-cert.pem", "tampered");
      return cm;
    });
    Poll.until(() -> hasRoots(kube, "late", trustBundle, roots)
            && hasRoots(kube, "istio-system", trustBundle, roots), Duration.ofSeconds(60),
        "the survivor rewrote late/" + trustBundle + " and istio-system/" + trustBundle);

    kube.admin().secrets().inNamespace("istio-system").withName("istiod-tls").delete();
    Poll.until(Quietly.holds(() -> {
      X509Certificate now = istiodCertificate(kube);
      return now != null && !now.equals(istiodCert);
    }), Duration.ofSeconds(60), "the survivor wrote a new istiod-tls");
    X509Certificate rewritten = istiodCertificate(kube);
    List<String> names = new ArrayList<>();
    rewritten.getSubjectAlternativeNames().forEach(n -> names.add(String.valueOf(n.get(1))));
    assertThat(names).contains("istiod.istio-system.svc");

    // The agent renews at half its certificate's lifetime (the suite's is a minute); its CA
    // connection was to the leader's address, refused now, so it has to find the survivor.
    Poll.until(Quietly.holds(() -> !agentCert.equals(Files.readString(
            agent.outputCerts().resolve("cert-chain.pem"))) || !agent.alive()),
        Duration.ofSeconds(90), "the agent renewed its certificate after the leader died");
    assertThat(agent.alive()).as("pilot-agent running").isTrue();
  }

  private static boolean hasRoots(KubeTestCluster kube, String ns, String name, String roots) {
    ConfigMap cm = kube.admin().configMaps().inNamespace(ns).withName(name).get();
    return cm != null && roots.equals(cm.getData().get("root-cert.pem"));
  }

  private static X509Certificate istiodCertificate(KubeTestCluster kube) throws Exception {
    Secret s = kube.admin().secrets().inNamespace("istio-system").withName("istiod-tls").get();
    if (s == null || s.getData() == null || s.getData().get("tls.crt") == null) {
      return null;
    }
    return Pem.certificates(new String(Base64.getDecoder().decode(s.getData().get("tls.crt")),
        StandardCharsets.US_ASCII)).get(0);
  }
}
