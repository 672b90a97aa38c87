package dev.signet.e2e;

import dev.signet.testing.LocalProcess;
import io.fabric8.kubernetes.api.model.Pod;
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

/**
 * Istio's pilot-agent as a process, exactly as the injected {@code istio-proxy} container of a
 * proxyless gRPC pod runs it (the injector's grpc-agent template: {@code ISTIO_META_GENERATOR=
 * grpc}, {@code DISABLE_ENVOY=true}, certificates to {@code OUTPUT_CERTS}): the image's
 * entrypoint with the container's arguments, environment and volumes from {@link FakeKubelet}.
 */
final class ProxylessAgent implements AutoCloseable {
  private static final HttpClient HTTP = HttpClient.newHttpClient();
  final FakeKubelet.Launch launch;
  private final LocalProcess process;

  private ProxylessAgent(FakeKubelet.Launch launch, LocalProcess process) {
    this.launch = launch;
    this.process = process;
  }

  /**
   * Starts the agent of {@code pod} in a mount namespace of its own whose /etc/hosts is
   * {@code hosts}: the cluster DNS names it dials (Signet's and istiod's Services) resolve to
   * the loopback addresses they listen on.
   */
  static ProxylessAgent start(FakeKubelet kubelet, Path bin, Pod pod, Path dir, Path hosts)
      throws IOException {
    String name = pod.getMetadata().getName();
    FakeKubelet.Launch launch = kubelet.prepare(pod, "istio-proxy", dir.resolve(name + "-root"));
    List<String> command = new ArrayList<>(ClusterDns.inMountNamespace(hosts));
    command.add(bin.toString());
    command.addAll(launch.args());
    return new ProxylessAgent(launch, LocalProcess.startIsolated("agent-" + name, dir,
        launch.rootfs(), command, launch.env()));
  }

  /** Where the agent writes the workload's certificate, key and roots. */
  Path outputCerts() {
    return Path.of(launch.env().get("OUTPUT_CERTS"));
  }

  /** True once the agent has written all three files of OUTPUT_CERTS. */
  boolean wroteCertificates() {
    return List.of("cert-chain.pem", "key.pem", "root-cert.pem").stream()
        .allMatch(f -> sizeOf(outputCerts().resolve(f)) > 0);
  }

  /** The gRPC xDS bootstrap the agent writes for the application. */
  Path grpcBootstrap() {
    return launch.file("/etc/istio/proxy/grpc-bootstrap.json");
  }

  /** Status code of the agent's readiness endpoint on {@code statusPort}. */
  int ready(int statusPort) {
    try {
      return HTTP.send(HttpRequest.newBuilder(
              URI.create("http://127.0.0.1:" + statusPort + "/healthz/ready"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  boolean alive() {
    return process.alive();
  }

  String logTail() {
    return process.logTail();
  }

  private static long sizeOf(Path p) {
    try {
      return Files.size(p);
    } catch (IOException e) {
      return 0;
    }
  }

  @Override
  public void close() {
    process.close();
  }
}
