package dev.signet.cli;

import com.nimbusds.jwt.JWTParser;
import dev.signet.client.ChainVerifier;
import dev.signet.client.ChainVerifier.VerifiedChain;
import dev.signet.client.CsrBuilder;
import dev.signet.client.SignetClient;
import dev.signet.config.ConfigException;
import dev.signet.config.Durations;
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

/**
 * {@code signet request}: gets a workload certificate exactly as Istio's agent would (new key,
 * {@code O=""} CSR with one critical URI SAN, bearer token), verifies the chain and writes
 * {@code key.pem}, {@code cert-chain.pem} and {@code root-cert.pem}.
 */
final class RequestCommand {
  private RequestCommand() {}

  static int run(List<String> argv, PrintStream out, PrintStream err) {
    Args args = new Args("request", argv);
    String addr = "localhost:8443";
    String token = null;
    boolean ecdsa = false;
    Duration ttl = Duration.ofHours(24);
    Path root = Path.of(".signet-dev/root-cert.pem");
    Path outDir = Path.of("certs");
    String trustDomain = "cluster.local";
    for (String a = args.next(); a != null; a = args.next()) {
      switch (a) {
        case "--addr" -> addr = args.value();
        case "--token" -> token = args.value();
        case "--token-file" -> token = read(Path.of(args.value()));
        case "--ecdsa" -> ecdsa = true;
        case "--ttl" -> ttl = duration(args.value());
        case "--ca-root" -> root = Path.of(args.value());
        case "--out" -> outDir = Path.of(args.value());
        case "--trust-domain" -> trustDomain = args.value();
        default -> throw args.unknown(a);
      }
    }
    if (token == null) {
      throw new ConfigException("signet request needs --token or --token-file");
    }
    int colon = addr.lastIndexOf(':');
    if (colon <= 0) {
      throw new ConfigException("--addr must be host:port, got '" + addr + "'");
    }
    String host = addr.substring(0, colon);
    int port = Integer.parseInt(addr.substring(colon + 1));
    String uri = identity(token, trustDomain);
    KeyPair keys = ecdsa ? CsrBuilder.ecP256() : CsrBuilder.rsa2048();
    try (SignetClient client = SignetClient.connect(host, port, root.toFile())) {
      List<String> chain = client.createCertificate(CsrBuilder.istioAgent(keys, uri), ttl, token,
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
      err.println("Signet refused: " + e.getStatus().getCode() + ": "
          + e.getStatus().getDescription());
      return 1;
    } catch (GeneralSecurityException e) {
      err.println("the returned chain does not verify: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      err.println("signet request failed: " + e.getMessage());
      return 1;
    }
  }

  /** The identity a service-account token claims (read, not verified: the server verifies). */
  private static String identity(String token, String trustDomain) {
    try {
      String sub = JWTParser.parse(token).getJWTClaimsSet().getSubject();
      String[] p = sub == null ? new String[0] : sub.split(":");
      if (p.length != 4 || !sub.startsWith("system:serviceaccount:")) {
        throw new ConfigException("the token's subject is not system:serviceaccount:<ns>:<sa>");
      }
      return SpiffeId.of(trustDomain, p[2], p[3]).toString();
    } catch (ParseException e) {
      throw new ConfigException("the token is not a JWT");
    }
  }

  private static String read(Path p) {
    try {
      return Files.readString(p, StandardCharsets.UTF_8).trim();
    } catch (IOException e) {
      throw new ConfigException("cannot read " + p + ": " + e.getMessage());
    }
  }

  private static Duration duration(String s) {
    try {
      return Durations.parse(s);
    } catch (IllegalArgumentException e) {
      throw new ConfigException("--ttl: " + e.getMessage());
    }
  }
}
