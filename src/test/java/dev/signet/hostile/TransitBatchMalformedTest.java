package dev.signet.hostile;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.client.SignetClient;
import dev.signet.testing.VaultContainerServer;
import dev.signet.testing.VaultServer;
import dev.signet.vault.VaultSetup;
import dev.signet.vault.VaultSignet;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 12 item 15b: one malformed item in Vault Transit's {@code batch_results} fails only its
 * own request, at once; the other requests of the batch get their certificates instead of
 * waiting for the signing timeout. A real Signet over TLS signs with a real Vault behind
 * {@link FakeTransitProxy}, which corrupts one item of one batch answer.
 */
class TransitBatchMalformedTest {
  @TempDir Path dir;

  @Test
  void aMalformedBatchItemFailsOnlyItsOwnRequest() throws Exception {
    try (VaultServer vault = VaultContainerServer.start();
        FakeTransitProxy proxy = new FakeTransitProxy(vault.address())) {
      VaultSetup setup = VaultSetup.run(vault);
      List<String> settings = new ArrayList<>(List.of(setup.approle("transit", dir)));
      settings.set(0, "ca.vault.address=" + proxy.address());
      settings.addAll(List.of("ca.vault.kv.path=signet/transit-chain",
          // Wide enough that concurrent requests share a batch_input call.
          "ca.vault.transit.batch-window=300ms",
          // Keeps the old behaviour's wait short: it failed the batch's requests only here.
          "ca.vault.timeout=1s", "ca.vault.max-retries=0"));
      try (VaultSignet signet = VaultSignet.start(dir, "vault-transit",
              settings.toArray(String[]::new));
          SignetClient client = signet.client()) {
        String token = signet.token();
        List<Status.Code> failures = new ArrayList<>();
        int succeeded = 0;
        ExecutorService callers = Executors.newFixedThreadPool(4);
        try {
          // Rounds of four concurrent requests until one batch answer was corrupted.
          for (int round = 0; round < 20 && proxy.corrupted() == 0; round++) {
            List<Future<?>> calls = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
              calls.add(callers.submit(() -> VaultSignet.issueAndVerify(client, token,
                  signet.roots())));
            }
            for (Future<?> f : calls) {
              try {
                f.get();
                succeeded++;
              } catch (java.util.concurrent.ExecutionException e) {
                assertThat(e.getCause()).isInstanceOf(StatusRuntimeException.class);
                failures.add(((StatusRuntimeException) e.getCause()).getStatus().getCode());
              }
            }
          }
        } finally {
          callers.shutdownNow();
        }
        assertThat(proxy.corrupted()).as("a batch of two or more was corrupted").isEqualTo(1);
        assertThat(failures).as("only the malformed item's request fails")
            .containsExactly(Status.Code.UNAVAILABLE);
        assertThat(succeeded).isPositive();
      }
    }
  }
}
