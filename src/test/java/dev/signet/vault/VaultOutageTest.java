package dev.signet.vault;

import static dev.signet.vault.TransitCaTest.waitFor;
import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.client.SignetClient;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * Vault outages under load, for the three custody models: Vault is killed and started again on
 * the same port with the same data, which a container cannot give (a restarted container gets a
 * new mapped port and the dev-mode image keeps its data in memory), so these run against a
 * local Vault process ({@link VaultFixture#local()}); the rest of each model's tests run against
 * a container.
 */
class VaultOutageTest {
  @TempDir static Path dir;
  @RegisterExtension static final VaultFixture fixture = VaultFixture.local();

  @Test
  void kvANewKvVersionTakesOverWithoutAFailedRequestAndOutagesAreRiddenOut() throws Exception {
    Path d = Files.createDirectory(dir.resolve("rotate"));
    try (VaultSignet signet = KvCaTest.signet(fixture, d); SignetClient client = signet.client();
        Load load = new Load(client, signet.token(), signet.roots(), 4, 100_000)) {
      waitFor(() -> load.ok.get() > 20, "load running");
      long v0 = KvCaTest.kvVersion(fixture);
      KvCaTest.putNewCa(fixture, "Signet KV CA 2");
      waitFor(() -> signet.server.ca().describe().endsWith(" v" + (v0 + 1) + ")"),
          "switch to the next version");
      int switched = load.ok.get();
      waitFor(() -> load.ok.get() > switched + 20, "signing with version 2");

      // Vault goes away: the key in memory keeps signing, the failed checks are counted.
      fixture.localVault().stop();
      int down = load.ok.get();
      waitFor(() -> load.ok.get() > down + 50 && KvCaTest.refreshFailures(signet) > 0,
          "signing through the outage");
      fixture.localVault().restart();
      KvCaTest.putNewCa(fixture, "Signet KV CA 3");
      waitFor(() -> signet.server.ca().describe().endsWith(" v" + (v0 + 2) + ")"),
          "switch to the version written after the outage");
      int after = load.ok.get();
      waitFor(() -> load.ok.get() > after + 20, "signing with version 3");
      load.stop();
      assertThat(load.failed()).as(load.toString()).isZero();
      assertThat(load.wrong.get()).as(load.toString()).isZero();
      assertThat(load.issuers).hasSize(3);
    }
  }

  @Test
  void pkiRenewalOverlapsWithoutAFailedRequestAndOutagesAreRiddenOut() throws Exception {
    Path d = Files.createDirectory(dir.resolve("renew"));
    // A 12 s certificate renewed when half remains: a renewal every ~6 s.
    try (VaultSignet signet = PkiCaTest.signet(fixture, d, "ca.vault.pki.ttl=12s",
        "ca.vault.pki.renew-remaining=0.5", "issuance.min-ttl=1s");
        SignetClient client = signet.client();
        Load load = new Load(client, signet.token(), signet.roots(), 4, 100_000)) {
      waitFor(() -> load.issuers.size() >= 2, "a renewal under load");
      fixture.localVault().stop();
      // The current key keeps signing while Vault is down (until its certificate expires).
      int down = load.ok.get();
      waitFor(() -> load.ok.get() > down + 30, "signing through the outage");
      fixture.localVault().restart();
      int seen = load.issuers.size();
      waitFor(() -> load.issuers.size() > seen, "a renewal after Vault is back");
      load.stop();
      assertThat(load.failed()).as(load.toString()).isZero();
      assertThat(load.wrong.get()).as(load.toString()).isZero();
    }
  }

  @Test
  void transitVaultDownGivesFastUnavailableAndNoWrongCertificateThenRecovers() throws Exception {
    Path d = Files.createDirectory(dir.resolve("outage"));
    try (VaultSignet signet = TransitCaTest.signet(fixture, d); SignetClient client = signet.client();
        Load load = new Load(client, signet.token(), signet.roots(), 4, 100_000)) {
      waitFor(() -> load.ok.get() > 20, "load running");
      fixture.localVault().stop();
      waitFor(() -> load.failed() > 20, "requests refused while Vault is down");
      int okWhileDown = load.ok.get();
      fixture.localVault().restart();
      waitFor(() -> load.ok.get() > okWhileDown + 20, "recovery after restart");
      load.stop();
      assertThat(load.wrong.get()).as(load.toString()).isZero();
      assertThat(load.failures.keySet()).as(load.toString()).containsOnly("UNAVAILABLE");
      // Fast: a refusal never waits for Vault's full timeout budget to pile up.
      assertThat(load.slowestFailureMillis.get()).isLessThan(5_000);
    }
  }
}
