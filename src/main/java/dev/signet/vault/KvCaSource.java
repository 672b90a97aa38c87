package dev.signet.vault;

import dev.signet.ca.CaFiles;
import dev.signet.ca.CaFiles.InvalidCaException;
import dev.signet.ca.SigningAuthority;
import dev.signet.config.SignetConfig.Kv;
import dev.signet.crypto.CryptoProvider;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * {@code vault-kv}: the signing key and chain live in a KV v2 secret (Istio's plug-in layout as
 * fields) and are loaded into memory. Only the secret's metadata is polled; a new version is read,
 * checked like plug-in files, and switched to atomically; an invalid version is refused and the
 * last good CA keeps signing. While Vault is unreachable, signing goes on with the key in memory
 * until its certificate expires (logged, and counted in
 * {@code signet_vault_ca_refresh_failures_total}).
 */
public final class KvCaSource extends PollingCaSource {
  private final VaultClient client;
  private final Kv kv;
  private final CryptoProvider crypto;
  private volatile long version;

  private KvCaSource(VaultClient client, Kv kv, CryptoProvider crypto, VaultMetrics metrics,
      Clock clock, Consumer<SigningAuthority> onChange) {
    super(metrics, clock, onChange, "signet-ca-kv");
    this.client = client;
    this.kv = kv;
    this.crypto = crypto;
  }

  /** Loads the secret now (failing start-up when unusable) and polls its version. */
  public static KvCaSource open(VaultClient client, Kv kv, CryptoProvider crypto,
      VaultMetrics metrics, Clock clock, Consumer<SigningAuthority> onChange)
      throws InvalidCaException {
    KvCaSource s = new KvCaSource(client, kv, crypto, metrics, clock, onChange);
    VaultTexts.Versioned v = VaultTexts.kv(client, kv);
    SigningAuthority initial = CaFiles.load(v.texts(), crypto);
    s.version = v.version();
    s.start(initial, kv.pollInterval(), "vault-kv");
    return s;
  }

  @Override
  protected SigningAuthority check(SigningAuthority current) throws InvalidCaException {
    long latest = VaultTexts.kvVersion(client, kv);
    if (latest == version) {
      return null;
    }
    VaultTexts.Versioned v = VaultTexts.kv(client, kv);
    try {
      return CaFiles.load(v.texts(), crypto);
    } finally {
      // An invalid version is refused once, not re-read every interval.
      version = v.version();
    }
  }

  /** The KV version the current CA was read from. */
  public long version() {
    return version;
  }

  @Override
  public String describe() {
    return "vault-kv(" + client.address() + ", " + kv.mount() + "/data/" + kv.path() + " v"
        + version + ")";
  }
}
