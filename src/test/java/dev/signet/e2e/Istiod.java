package dev.signet.e2e;

import dev.signet.testing.KubeTestCluster;
import dev.signet.testing.LocalProcess;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Istio's pilot-discovery as a process, started the way the rendered istiod Deployment starts
 * it: its pod is created through the API from the Deployment's template, {@link FakeKubelet}
 * gives it the template's environment and volumes (Secret istiod-tls and the root ConfigMap,
 * both written by Signet), and it runs with the template's arguments. Three things differ from
 * a pod, each forced by running without a kubelet or network namespace: its listeners move to
 * loopback (XDS over TLS to its usual port 15012 on an address of its own, the others to free
 * ports); the certificate files it would find at its well-known mount paths are
 * named by flags; and its API credentials, which in a pod are in-cluster ones, are a kubeconfig
 * of its own service account, written where the Deployment's KUBECONFIG points.
 */
final class Istiod implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  final int httpPort;
  final String xdsTlsAddress;
  final int webhookPort;
  final Pod pod;
  final FakeKubelet.Launch launch;
  private final LocalProcess process;

  private Istiod(Pod pod, FakeKubelet.Launch launch, LocalProcess process, int httpPort,
      String xdsTlsAddress, int webhookPort) {
    this.pod = pod;
    this.launch = launch;
    this.process = process;
    this.httpPort = httpPort;
    this.xdsTlsAddress = xdsTlsAddress;
    this.webhookPort = webhookPort;
  }

  /**
   * Starts istiod from Deployment {@code d} and waits until it is ready.
   *
   * @param xdsTlsAddress the loopback address where it serves XDS over TLS on its usual port
   *     15012 (what the mesh's istiod.istio-system.svc resolves to)
   */
  static Istiod start(KubeTestCluster kube, FakeKubelet kubelet, Path bin, Deployment d,
      Path dir, String xdsTlsAddress) throws IOException {
    String ns = d.getMetadata().getNamespace();
    // As the Deployment controller and the scheduler would make it.
    Pod pod = kube.admin().pods().inNamespace(ns).resource(new PodBuilder()
        .withNewMetadata().withName(d.getMetadata().getName() + "-0").withNamespace(ns)
        .withLabels(d.getSpec().getTemplate().getMetadata().getLabels())
        .withAnnotations(d.getSpec().getTemplate().getMetadata().getAnnotations()).endMetadata()
        .withSpec(d.getSpec().getTemplate().getSpec()).editSpec()
        .withNodeName(FakeKubelet.NODE).endSpec().build()).create();
    pod = kubelet.reportRunning(pod, "10.244.0.2");
    FakeKubelet.Launch launch = kubelet.prepare(pod, "discovery", dir.resolve("istiod-root"));
    String sa = pod.getSpec().getServiceAccountName();
    Path kubeconfig = Path.of(Optional.ofNullable(launch.env().get("KUBECONFIG"))
        .orElseThrow(() -> new AssertionError("the istiod Deployment sets no KUBECONFIG")));
    Files.createDirectories(kubeconfig.getParent());
    Files.copy(kube.kubeconfig("istiod", kube.token(ns, sa, "https://kubernetes.default.svc",
        Optional.empty(), Duration.ofHours(2))), kubeconfig);
    int http = LocalProcess.freePort();
    int xds = LocalProcess.freePort();
    int xdsTls = 15012;
    int webhook = LocalProcess.freePort();
    int monitoring = LocalProcess.freePort();
    int ctrlz = LocalProcess.freePort();
    List<String> command = new ArrayList<>();
    command.add(bin.toString());
    command.addAll(launch.args());
    command.addAll(List.of(
        "--httpAddr=127.0.0.1:" + http, "--grpcAddr=127.0.0.1:" + xds,
        "--secureGRPCAddr=" + xdsTlsAddress + ":" + xdsTls, "--httpsAddr=127.0.0.1:" + webhook,
        "--monitoringAddr=127.0.0.1:" + monitoring, "--ctrlz_port=" + ctrlz,
        "--tlsCertFile=" + launch.file("/var/run/secrets/istiod/tls/tls.crt"),
        "--tlsKeyFile=" + launch.file("/var/run/secrets/istiod/tls/tls.key"),
        "--caCertFile=" + launch.file("/var/run/secrets/istiod/ca/root-cert.pem")));
    LocalProcess p = LocalProcess.startIsolated("istiod", dir, launch.rootfs(), command,
        launch.env());
    Istiod istiod = new Istiod(pod, launch, p, http, xdsTlsAddress, webhook);
    try {
      p.awaitReady(() -> HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + http + "/ready")).timeout(Duration.ofSeconds(2))
              .build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200,
          Duration.ofSeconds(120));
    } catch (IOException | RuntimeException e) {
      istiod.close();
      throw e;
    }
    return istiod;
  }

  /** GET of istiod's debug HTTP port (e.g. /debug/connections). */
  String debug(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(
            URI.create("http://127.0.0.1:" + httpPort + path)).timeout(Duration.ofSeconds(10))
        .build(), HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException("istiod " + path + ": HTTP " + r.statusCode() + " " + r.body());
    }
    return r.body();
  }

  Map<String, String> env() {
    return launch.env();
  }

  String logTail() {
    return process.logTail();
  }

  @Override
  public void close() {
    process.close();
  }
}
