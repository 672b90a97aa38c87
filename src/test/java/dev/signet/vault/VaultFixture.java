package dev.signet.vault;

import dev.signet.testing.VaultContainerServer;
import dev.signet.testing.VaultServer;
import dev.signet.testing.VaultTestServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Vault per test class, configured by deploy/vault/setup.sh before the first test and
 * removed after the last: {@code @RegisterExtension static final VaultFixture fixture = ...}.
 * {@code new VaultFixture()} runs it in a container ({@link VaultContainerServer});
 * {@link #local()} as a local process that survives a restart on the same port, or that
 * must reach a peer on this host's loopback ({@link VaultTestServer} says why).
 */
final class VaultFixture implements BeforeAllCallback, AfterAllCallback {
  private final boolean local;
  private VaultServer vault;
  private VaultSetup setup;

  VaultFixture() {
    this(false);
  }

  private VaultFixture(boolean local) {
    this.local = local;
  }

  /** A local-process Vault: {@link #localVault()} can stop and restart it. */
  static VaultFixture local() {
    return new VaultFixture(true);
  }

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    vault = local ? VaultTestServer.start() : VaultContainerServer.start();
    setup = VaultSetup.run(vault);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (vault != null) {
      vault.close();
    }
  }

  VaultServer vault() {
    return vault;
  }

  /** The Vault of a {@link #local()} fixture. */
  VaultTestServer localVault() {
    if (vault instanceof VaultTestServer v) {
      return v;
    }
    throw new IllegalStateException("this fixture's Vault runs in a container; use "
        + "VaultFixture.local() for stop and restart on the same port");
  }

  VaultSetup setup() {
    return setup;
  }
}
