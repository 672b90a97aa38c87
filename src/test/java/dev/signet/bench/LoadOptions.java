package dev.signet.bench;

import java.net.URI;
import java.nio.file.Path;

/**
 * The load generator's command line; every flag has a default that suits a 2-core machine.
 *
 * <p>Beyond the shape of the load: {@code --server-pid} (or {@code --server-pid-file}, read when
 * measuring) reads the server's CPU and memory from
 * {@code /proc} instead of Signet's {@code /metrics} (so any CA server can be measured, e.g.
 * istiod's); {@code --window N} reports server CPU per certificate for every N requests (a cold
 * server's warm-up curve); {@code --rsa-tokens} makes the dev token key RSA (RS256, as
 * kube-apiserver's, and the only algorithm Istio's JWT authenticator accepts);
 * {@code --tokens-file} takes one service-account token per line (e.g. from the TokenRequest
 * API), each for service account {@code load-<line>} in {@code --namespace}.
 */
record LoadOptions(String host, int port, Path devDir, URI metricsUrl, String trustDomain,
    int connections, int concurrency, int identities, int requests, int warmup, double rate,
    boolean rsa, boolean failOnError, boolean freshConnections, Path startSignal,
    Path holdAfterWarmup, long serverPid, int window, boolean rsaTokens, Path tokensFile,
    String namespace, Path serverPidFile) {

  static LoadOptions parse(String[] args) {
    String addr = "localhost:8443";
    Path devDir = Path.of(".signet-dev");
    URI metrics = URI.create("http://127.0.0.1:9102/metrics");
    String td = "cluster.local";
    int connections = 4;
    int concurrency = 64;
    int identities = 64;
    int requests = 20_000;
    int warmup = 5_000;
    double rate = 0;
    boolean rsa = true;
    boolean failOnError = false;
    boolean fresh = false;
    Path startSignal = null;
    Path hold = null;
    long serverPid = 0;
    int window = 0;
    boolean rsaTokens = false;
    Path tokensFile = null;
    String namespace = "bench";
    Path serverPidFile = null;
    for (int i = 0; i < args.length; i++) {
      String flag = args[i];
      if (flag.equals("--ecdsa")) {
        rsa = false;
        continue;
      }
      if (flag.equals("--fresh-connections")) {
        fresh = true;
        continue;
      }
      if (flag.equals("--rsa-tokens")) {
        rsaTokens = true;
        continue;
      }
      if (flag.equals("--fail-on-error")) {
        failOnError = true;
        continue;
      }
      if (i + 1 >= args.length) {
        throw new IllegalArgumentException(flag + " needs a value");
      }
      String v = args[++i];
      switch (flag) {
        case "--addr" -> addr = v;
        case "--dev-dir" -> devDir = Path.of(v);
        case "--metrics" -> metrics = URI.create(v);
        case "--trust-domain" -> td = v;
        case "--connections" -> connections = Integer.parseInt(v);
        case "--concurrency" -> concurrency = Integer.parseInt(v);
        case "--identities" -> identities = Integer.parseInt(v);
        case "--requests" -> requests = Integer.parseInt(v);
        case "--warmup" -> warmup = Integer.parseInt(v);
        case "--rate" -> rate = Double.parseDouble(v);
        case "--first-cert-after" -> startSignal = Path.of(v);
        case "--hold-after-warmup" -> hold = Path.of(v);
        case "--server-pid" -> serverPid = Long.parseLong(v);
        case "--window" -> window = Integer.parseInt(v);
        case "--tokens-file" -> tokensFile = Path.of(v);
        case "--namespace" -> namespace = v;
        case "--server-pid-file" -> serverPidFile = Path.of(v);
        default -> throw new IllegalArgumentException("unknown flag " + flag);
      }
    }
    int colon = addr.lastIndexOf(':');
    return new LoadOptions(addr.substring(0, colon), Integer.parseInt(addr.substring(colon + 1)),
        devDir, metrics, td, connections, concurrency, identities, requests, warmup, rate, rsa,
        failOnError, fresh, startSignal, hold, serverPid, window, rsaTokens, tokensFile,
        namespace, serverPidFile);
  }

  /** How the run was shaped, for the report. */
  String describe() {
    return (rate > 0 ? String.format("fixed rate %.0f/s", rate) : "flat out, " + concurrency
        + " in flight") + ", " + requests + " requests, "
        + (freshConnections ? "a new TLS connection each" : connections + " TLS connections")
        + ", "
        + (tokensFile != null ? "tokens from " + tokensFile.getFileName()
            : identities + " identities")
        + ", " + (rsa ? "RSA-2048" : "ECDSA P-256") + " CSRs";
  }
}
