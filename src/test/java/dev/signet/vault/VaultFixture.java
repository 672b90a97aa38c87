package dev.signet.vault;

import dev.signet.testing.VaultTestServer;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One real Vault per test class, configured by deploy/vault/setup.sh before the first test and
 * stopped after the last: {@code @RegisterExtension static final VaultFixture fixture = ...}.
 */
final class VaultFixture implements BeforeAllCallback, AfterAllCallback {
  private VaultTestServer vault;
  private VaultSetup setup;

  @Override
  public void beforeAll(ExtensionContext context) throws Exception {
    vault = VaultTestServer.start();
    setup = VaultSetup.run(vault);
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (vault != null) {
      vault.close();
    }
  }

  VaultTestServer vault() {
    return vault;
  }

  VaultSetup setup() {
    return setup;
  }
}
