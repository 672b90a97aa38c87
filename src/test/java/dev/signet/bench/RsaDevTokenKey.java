package dev.signet.bench;

import dev.signet.dev.DevTokens;
import java.nio.file.Path;

/**
 * Makes a dev directory's token key RSA (RS256) before any server starts there, as
 * kube-apiserver's service-account key is by default: Istio's JWT authenticator accepts only
 * RS256, and the side-by-side benchmarks give Signet and istiod's CA the same tokens
 * ({@code src/bench/storm.sh}). A directory that already has a key keeps it.
 */
public final class RsaDevTokenKey {
  private RsaDevTokenKey() {}

  public static void main(String[] args) throws Exception {
    DevTokens.openRsa(Path.of(args[0]));
  }
}
