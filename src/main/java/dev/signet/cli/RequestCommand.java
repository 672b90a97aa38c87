package dev.signet.cli;

import com.nimbusds.jwt.JWTParser;
import dev.signet.client.ChainVerifier;
import dev.signet.client.ChainVerifier.VerifiedChain;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.pki.KeyFiles;
import dev.signet.pki.Pem;
import dev.signet.spiffe.SpiffeId;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.cert.X509Certificate;
import java.text.ParseException;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;

/**
 * {@code signet request}: gets a workload certificate exactly as Istio's agent would (new key,
 * {@code O=""} CSR with one critical URI SAN, bearer token), verifies the chain and writes
 * {@code key.pem}, {@code cert-chain.pem} and {@code root-cert.pem}.
 */
@Command(name = "request", mixinStandardHelpOptions = true,
    description = "Get a workload certificate as Istio's agent would (new key, CSR, bearer "
        + "token), verify the chain, and write key.pem, cert-chain.pem and root-cert.pem.")
final class RequestCommand implements Callable<Integer> {
  private final Streams io;
  @Spec private CommandSpec spec;

  @Option(names = "--addr", paramLabel = "HOST:PORT", defaultValue = "localhost:8443",
      description = "Signet's gRPC address (default: ${DEFAULT-VALUE}).")
  private String addr;

  @Option(names = "--token", paramLabel = "JWT", description = "The service-account token.")
  private String token;

  @Option(names = "--token-file", paramLabel = "FILE",
      description = "A file holding the token instead.")
  private Path tokenFile;

  @Option(names = "--ecdsa", description = "A P-256 key (as ztunnel uses) instead of RSA 2048.")
  private boolean ecdsa;

  @Option(names = "--ttl", paramLabel = "DURATION", defaultValue = "24h",
      description = "Requested lifetime (default: ${DEFAULT-VALUE}).")
  private Duration ttl;

  @Option(names = "--ca-root", paramLabel = "FILE", defaultValue = ".signet-dev/root-cert.pem",
      description = "The roots that verify Signet's TLS and the chain (default: "
          + "${DEFAULT-VALUE}).")
  private Path root;

  @Option(names = "--out", paramLabel = "DIR", defaultValue = "certs",
      description = "Where the files are written (default: ${DEFAULT-VALUE}).")
  private Path outDir;

  @Option(names = "--trust-domain", paramLabel = "TD", defaultValue = "cluster.local",
      description = "SPIFFE trust domain (default: ${DEFAULT-VALUE}).")
  private String trustDomain;

  RequestCommand(Streams io) {
    this.io = io;
  }

  @Override
  public Integer call() {
    if ((token == null) == (tokenFile == null)) {
      throw new ParameterException(spec.commandLine(),
          "needs one of --token or --token-file");
    }
    int colon = addr.lastIndexOf(':');
    int port = colon <= 0 ? -1 : parsePort(addr.substring(colon + 1));
    if (port < 0) {
      throw new ParameterException(spec.commandLine(),
          "--addr must be host:port, got '" + addr + "'");
    }
    String host = addr.substring(0, colon);
    String jwt = token != null ? token : read(tokenFile);
    String uri = identity(jwt, trustDomain);
    PrintStream out = io.out();
    KeyPair keys = ecdsa ? CsrBuilder.ecP256() : CsrBuilder.rsa2048();
    try (SignetClient client = SignetClient.connect(host, port, root.toFile())) {
      List<String> chain = client.createCertificate(CsrBuilder.istioAgent(keys, uri), ttl, jwt,
          Duration.ofSeconds(30));
      List<X509Certificate> trusted = Pem.certificates(read(root));
      VerifiedChain v = ChainVerifier.verify(chain, keys.getPublic(), uri, trusted);
      KeyFiles.writePrivateKey(outDir.resolve("key.pem"), keys.getPrivate());
      KeyFiles.writePublic(outDir.resolve("cert-chain.pem"),
          String.join("", chain.subList(0, chain.size() - 1)));
      KeyFiles.writePublic(outDir.resolve("root-cert.pem"), chain.get(chain.size() - 1));
      out.println("identity:   " + uri);
      out.println("serial:     " + v.leaf().getSerialNumber().toString(16));
      out.println("valid:      " + v.leaf().getNotBefore().toInstant() + " to "
          + v.leaf().getNotAfter().toInstant());
      out.println("issuer:     " + v.leaf().getIssuerX500Principal());
      out.println("chain:      " + chain.size() + " elements, verified against " + root);
      out.println("wrote:      " + outDir.resolve("key.pem") + ", "
          + outDir.resolve("cert-chain.pem") + ", " + outDir.resolve("root-cert.pem"));
      return 0;
    } catch (StatusRuntimeException e) {
      throw new CommandFailure("Signet refused: " + e.getStatus().getCode() + ": "
          + e.getStatus().getDescription());
    } catch (GeneralSecurityException e) {
      throw new CommandFailure("the returned chain does not verify: " + e.getMessage());
    } catch (IOException e) {
      throw new CommandFailure("signet request failed: " + e.getMessage());
    }
  }

  private static int parsePort(String s) {
    try {
      int p = Integer.parseInt(s);
      return p > 0 && p <= 65535 ? p : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** The identity a service-account token claims (read, not verified: the server verifies). */
  private String identity(String token, String trustDomain) {
    try {
      String sub = JWTParser.parse(token).getJWTClaimsSet().getSubject();
      String[] p = sub == null ? new String[0] : sub.split(":");
      if (p.length != 4 || !sub.startsWith("system:serviceaccount:")) {
        throw new ParameterException(spec.commandLine(),
            "the token's subject is not system:serviceaccount:<ns>:<sa>");
      }
      return SpiffeId.of(trustDomain, p[2], p[3]).toString();
    } catch (ParseException e) {
      throw new ParameterException(spec.commandLine(), "the token is not a JWT");
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new CommandFailure("cannot read " + p + ": " + e.getClass().getSimpleName());
    }
  }
}
