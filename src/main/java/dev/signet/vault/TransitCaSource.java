package dev.signet.vault;

import dev.signet.ca.CaFiles;
import dev.signet.ca.CaFiles.InvalidCaException;
import dev.signet.ca.SigningAuthority;
import dev.signet.config.SignetConfig;
import dev.signet.config.SignetConfig.Transit;
import dev.signet.crypto.CryptoProvider;
import dev.signet.pki.Pem;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.nio.file.Path;
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code vault-transit}: the CA private key exists only in Vault Transit. The CA certificate comes
 * from a KV secret or files (Transit's {@code set-certificate} refuses CA certificates); Signet finds the key version whose
 * public key is that certificate's, and signs with exactly that version ({@code key_version}),
 * so rotating the Transit key never makes Signet sign with a key its chain does not match. A
 * new certificate (for a new version) is picked up by polling and switched to atomically; the
 * previous version's batcher is closed once every request that could still use it is done.
 */
public final class TransitCaSource extends PollingCaSource {
  private final VaultClient client;
  private final SignetConfig.Vault config;
  private final Path filesDirectory;
  private final Duration maxWait;
  private final CryptoProvider crypto;
  private final List<Retired> retiring = new ArrayList<>();
  private volatile State state;

  /** A replaced batcher and when it was replaced. */
  private record Retired(TransitBatcher batcher, long atNanos) {}

  /** What the current authority was built from, to notice a change cheaply. */
  private record State(String chain, int version, TransitBatcher batcher) {}

  private TransitCaSource(VaultClient client, SignetConfig.Vault config, Path filesDirectory,
      CryptoProvider crypto, VaultMetrics metrics, Clock clock,
      Consumer<SigningAuthority> onChange) {
    super(metrics, clock, onChange, "signet-ca-transit");
    this.client = client;
    this.config = config;
    this.crypto = crypto;
    this.filesDirectory = filesDirectory;
    // A request waits at most for every attempt of one call, plus the batch window.
    this.maxWait = config.timeout().multipliedBy(config.maxRetries() + 1L)
        .plusSeconds(1).plus(config.transit().batchWindow());
  }

  /** Loads the chain and the key now (failing start-up when unusable) and polls for changes. */
  public static TransitCaSource open(VaultClient client, SignetConfig.Vault config,
      Path filesDirectory, CryptoProvider crypto, VaultMetrics metrics, Clock clock,
      Consumer<SigningAuthority> onChange) throws InvalidCaException {
    TransitCaSource s = new TransitCaSource(client, config, filesDirectory, crypto, metrics,
        clock, onChange);
    SigningAuthority initial = s.build(s.readKey(), null);
    s.start(initial, config.transit().pollInterval(), "vault-transit");
    return s;
  }

  @Override
  protected SigningAuthority check(SigningAuthority current) throws InvalidCaException {
    // A request that read the old authority just before the switch may still be waiting on the
    // old batcher: close it only once the longest possible wait has passed twice over.
    long now = System.nanoTime();
    synchronized (retiring) {
      retiring.removeIf(r -> {
        boolean done = now - r.atNanos() > 2 * maxWait.toNanos();
        if (done) {
          r.batcher().close();
        }
        return done;
      });
    }
    return build(readKey(), state);
  }

  private JsonObject readKey() {
    Transit t = config.transit();
    return client.read("transit key", t.mount() + "/keys/" + t.key()).get("data").asObject();
  }

  /** Builds an authority, or returns null when nothing changed since {@code previous}. */
  private SigningAuthority build(JsonObject key, State previous) throws InvalidCaException {
    Transit t = config.transit();
    JsonObject versions = key.get("keys").asObject();
    CaFiles.Texts texts = chainTexts();
    PublicKey caKey = CaFiles.certificateKey(texts);
    int version = matchingVersion(versions, caKey);
    String fingerprint = texts.caCert() + texts.certChain() + texts.rootCert();
    if (previous != null && previous.version() == version && previous.chain().equals(fingerprint)) {
      return null;
    }
    TransitBatcher batcher = new TransitBatcher(client, metrics, t.mount(), t.key(),
        TransitSigner.parameters(caKey, version), t.batchWindow(), t.maxBatch(), t.maxQueued());
    try {
      SigningAuthority a = CaFiles.loadWithSigner(texts,
          new TransitSigner(caKey, version, batcher, maxWait, crypto), caKey);
      if (previous != null) {
        synchronized (retiring) {
          retiring.add(new Retired(previous.batcher(), System.nanoTime()));
        }
      }
      state = new State(fingerprint, version, batcher);
      return a;
    } catch (InvalidCaException | RuntimeException e) {
      batcher.close();
      throw e;
    }
  }

  private CaFiles.Texts chainTexts() throws InvalidCaException {
    return switch (config.transit().chainSource()) {
      case FILES -> CaFiles.Texts.read(filesDirectory);
      case KV -> VaultTexts.kv(client, config.kv()).texts();
    };
  }

  private int matchingVersion(JsonObject versions, PublicKey caKey) throws InvalidCaException {
    byte[] want = caKey.getEncoded();
    for (String name : versions.names()) {
      JsonValue v = versions.get(name);
      String pem = v.isObject() ? v.asObject().getString("public_key", "") : "";
      if (!pem.isBlank() && Arrays.equals(want, spki(pem))) {
        return Integer.parseInt(name);
      }
    }
    throw new InvalidCaException("no version of Transit key " + config.transit().key()
        + " has the CA certificate's public key (is the chain for another key, or was that "
        + "version trimmed?)");
  }

  private static byte[] spki(String pem) {
    for (Pem.Block b : Pem.decodeAll(pem)) {
      if (b.type().equals("PUBLIC KEY")) {
        return b.der();
      }
    }
    return new byte[0];
  }

  @Override
  public String describe() {
    State s = state;
    return "vault-transit(" + client.address() + ", " + config.transit().mount() + "/keys/"
        + config.transit().key() + (s == null ? "" : " v" + s.version()) + ", chain from "
        + config.transit().chainSource().name().toLowerCase(java.util.Locale.ROOT) + ")";
  }

  @Override
  public void close() {
    super.close();
    synchronized (retiring) {
      retiring.forEach(r -> r.batcher().close());
      retiring.clear();
    }
    State s = state;
    if (s != null) {
      s.batcher().close();
    }
  }
}
