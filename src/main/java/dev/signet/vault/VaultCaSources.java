package dev.signet.vault;

import dev.signet.ca.CaFiles.InvalidCaException;
import dev.signet.ca.CaSource;
import dev.signet.ca.SigningAuthority;
import dev.signet.config.SignetConfig;
import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.http.HttpClient;
import java.time.Clock;
import java.util.function.Consumer;

/**
 * Opens the CA source of a {@code vault-*} custody model: one shared HTTP client, one Vault
 * session (login + renewal) and the source itself, closed together.
 */
public final class VaultCaSources {
  private VaultCaSources() {}

  /**
   * Opens the source named by {@code ca.source}; fails with a message naming what to fix when
   * Vault cannot be reached, refuses the login, or holds an unusable CA.
   */
  public static CaSource open(SignetConfig.Ca ca, CryptoProvider crypto, MeterRegistry registry,
      Consumer<SigningAuthority> onChange) throws IOException {
    SignetConfig.Vault config = ca.vault();
    VaultMetrics metrics = new VaultMetrics(registry);
    HttpClient http = VaultClient.httpClient(config);
    VaultClient client = new VaultClient(config, http, metrics);
    Clock clock = Clock.systemUTC();
    VaultSession session;
    try {
      session = VaultSession.open(client, config.auth(), clock);
    } catch (SignetException e) {
      throw new IOException("cannot log in to Vault at " + client.address() + ": "
          + e.getMessage(), e);
    }
    try {
      PollingCaSource source = switch (ca.source()) {
        case VAULT_TRANSIT -> TransitCaSource.open(client, config, ca.filesDirectory(), crypto,
            metrics, clock, onChange);
        case VAULT_KV -> KvCaSource.open(client, config.kv(), crypto, metrics, clock, onChange);
        case VAULT_PKI -> PkiCaSource.open(client, config, crypto, metrics, clock, onChange);
        default -> throw new IllegalArgumentException(ca.source() + " is not a Vault source");
      };
      return new Closing(source, session);
    } catch (InvalidCaException | RuntimeException e) {
      session.close();
      String why = e instanceof VaultClient.VaultHttpException v
          ? VaultClient.unavailable("reading the CA", v).getMessage() : e.getMessage();
      throw new IOException("the CA from Vault (" + ca.source().name().toLowerCase(
          java.util.Locale.ROOT).replace('_', '-') + ") is not usable: " + why, e);
    }
  }

  /** The source, closing the Vault session with it. */
  private record Closing(PollingCaSource source, VaultSession session) implements CaSource {
    @Override
    public SigningAuthority current() {
      return source.current();
    }

    @Override
    public String describe() {
      return source.describe();
    }

    /** Checks Vault for a change now (tests). */
    public boolean refresh() throws Exception {
      return source.refresh();
    }

    @Override
    public void close() {
      source.close();
      session.close();
    }
  }

  /** Runs one check of a source opened here; true when it switched to a new authority. */
  public static boolean refresh(CaSource source) throws Exception {
    if (source instanceof Closing c) {
      return c.refresh();
    }
    throw new IllegalArgumentException(source.describe() + " is not a Vault source");
  }
}
