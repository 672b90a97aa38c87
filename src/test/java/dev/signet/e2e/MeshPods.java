package dev.signet.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.signet.testing.KubeTestCluster;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.discovery.v1.EndpointSliceBuilder;
import java.util.Map;

/**
 * Proxyless gRPC workloads as the API server sees them: a Service with one gRPC port, and pods
 * created through the API (so istiod's injection webhook gives them its grpc-agent sidecar),
 * then reported Running by {@link FakeKubelet} and listed in an EndpointSlice as the
 * EndpointSlice controller would list them.
 */
final class MeshPods {
  private static final ObjectMapper JSON = new ObjectMapper();

  private MeshPods() {}

  /** Service {@code ns/name} selecting {@code app=name}, port {@code port} named grpc. */
  static void service(KubeTestCluster kube, String ns, String name, int port) {
    kube.admin().services().inNamespace(ns).resource(new ServiceBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).endMetadata()
        .withNewSpec().addToSelector("app", name).addNewPort().withName("grpc").withPort(port)
        .withNewTargetPort(port).endPort().endSpec().build()).create();
  }

  /**
   * Creates pod {@code ns/name} (label {@code app}, service account {@code sa}, container port
   * {@code port}), asserts the webhook injected the proxyless agent pointed at Signet, reports it
   * Running at {@code ip} and, when {@code app} is a Service, adds it to that Service's endpoints.
   *
   * @param statusPort the agent's status port (the pod shares the machine's network)
   * @param proxyMetadata environment for the agent, by the pod's proxy.istio.io/config
   */
  static Pod create(KubeTestCluster kube, FakeKubelet kubelet, String ns, String name, String sa,
      String app, String ip, int port, int statusPort, Map<String, String> proxyMetadata) {
    Pod pod = kube.admin().pods().inNamespace(ns).resource(new PodBuilder()
        .withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", app)
        .addToAnnotations("inject.istio.io/templates", "grpc-agent")
        .addToAnnotations("status.sidecar.istio.io/port", String.valueOf(statusPort))
        .addToAnnotations("proxy.istio.io/config", proxyConfig(proxyMetadata))
        .endMetadata()
        .withNewSpec().withServiceAccountName(sa).withNodeName(FakeKubelet.NODE)
        .addNewContainer().withName("app").withImage("example.invalid/" + app + ":1")
        .addNewPort().withName("grpc").withContainerPort(port).endPort().endContainer()
        .endSpec().build()).create();
    Container proxy = pod.getSpec().getContainers().stream()
        .filter(c -> c.getName().equals("istio-proxy")).findFirst()
        .orElseThrow(() -> new AssertionError("istiod's webhook did not inject istio-proxy: "
            + kube.admin().pods().inNamespace(ns).withName(name).get()));
    assertThat(env(proxy, "CA_ADDR")).isEqualTo("signet.signet-system.svc:443");
    assertThat(env(proxy, "ISTIO_META_GENERATOR")).isEqualTo("grpc");
    assertThat(env(proxy, "DISABLE_ENVOY")).isEqualTo("true");
    pod = kubelet.reportRunning(pod, ip);
    if (kube.admin().services().inNamespace(ns).withName(app).get() != null) {
      kube.admin().discovery().v1().endpointSlices().inNamespace(ns).resource(
          new EndpointSliceBuilder().withNewMetadata().withName(name).withNamespace(ns)
              .addToLabels("kubernetes.io/service-name", app).endMetadata()
              .withAddressType("IPv4").addNewEndpoint().withAddresses(ip)
              .withNewConditions().withReady(true).endConditions()
              .withNodeName(FakeKubelet.NODE).withNewTargetRef().withKind("Pod")
              .withName(name).withNamespace(ns).withUid(pod.getMetadata().getUid())
              .endTargetRef().endEndpoint()
              .addNewPort().withName("grpc").withPort(port).withProtocol("TCP").endPort()
              .build())
          .create();
    }
    return pod;
  }

  static String env(Container c, String name) {
    return c.getEnv().stream().filter(e -> e.getName().equals(name)).map(EnvVar::getValue)
        .findFirst().orElseThrow(() -> new AssertionError("no env " + name));
  }

  private static String proxyConfig(Map<String, String> proxyMetadata) {
    try {
      return JSON.writeValueAsString(Map.of("proxyMetadata", proxyMetadata));
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(e);
    }
  }
}
