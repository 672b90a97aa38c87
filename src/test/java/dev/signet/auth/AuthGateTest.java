package dev.signet.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.config.SignetConfig.AuthPool;
import dev.signet.config.SignetConfig.PeerLimits;
import dev.signet.error.SignetException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The authentication pool's bounds and the per-peer limits, on a clock the test moves. */
class AuthGateTest {
  final AtomicLong nanos = new AtomicLong();
  final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  final CountDownLatch release = new CountDownLatch(1);
  AuthGate gate;

  @AfterEach
  void tearDown() {
    release.countDown();
    if (gate != null) {
      gate.close();
    }
  }

  private AuthGate gate(int threads, int queue, int maxPending, int burst) {
    gate = new AuthGate(new AuthPool(threads, queue),
        new PeerLimits(maxPending, burst, Duration.ofSeconds(10)), registry, nanos::get);
    return gate;
  }

  private void hold(String token, String peer) {
    gate.execute(Credentials.ofToken(token, "", peer), () -> {
      try {
        release.await(10, TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    });
  }

  private static void assertOverloaded(Runnable r, String why) {
    assertThatThrownBy(r::run).isInstanceOfSatisfying(SignetException.class, e -> {
      assertThat(e.kind()).isEqualTo(SignetException.Kind.OVERLOADED);
      assertThat(e.getMessage()).contains(why);
    });
  }

  private double refused(String reason) {
    return registry.get("signet.auth.refused").tag("reason", reason).counter().count();
  }

  @Test
  void aFullPoolRefusesAtOnceInsteadOfQueueing() {
    gate(1, 0, 8, 20);
    hold("a", "10.0.0.1");
    assertOverloaded(() -> hold("b", "10.0.0.2"), "limit of token checks in flight");
    assertThat(refused("pool_full")).isEqualTo(1);
  }

  @Test
  void onePeerHoldsAtMostMaxPendingTokensButOneTokenSharesItsSlot() {
    gate(8, 0, 2, 20);
    hold("a", "10.0.0.1");
    hold("b", "10.0.0.1");
    assertOverloaded(() -> hold("c", "10.0.0.1"), "in flight from this address");
    hold("a", "10.0.0.1"); // the same token as a check under way: ztunnel's case
    hold("c", "10.0.0.2"); // another address has its own slots
    assertThat(refused("peer_pending")).isEqualTo(1);
  }

  @Test
  void aPeerThatFailsItsBurstIsRefusedForTheCoolDownThenAgain() {
    gate(8, 0, 8, 3);
    Credentials attacker = Credentials.ofToken("x", "", "10.0.0.9");
    for (int i = 0; i < 3; i++) {
      gate.failed(attacker);
    }
    assertOverloaded(() -> hold("y", "10.0.0.9"), "too many failed authentications");
    hold("y", "10.0.0.8");
    nanos.addAndGet(Duration.ofSeconds(10).toNanos());
    hold("z", "10.0.0.9");
    assertThat(refused("peer_failures")).isEqualTo(1);
  }

  @Test
  void failuresEarnedBackAtTheRefillRateDoNotCoolAPeer() {
    gate(8, 0, 8, 3);
    Credentials caller = Credentials.ofToken("x", "", "10.0.0.7");
    for (int i = 0; i < 10; i++) {
      gate.failed(caller);
      nanos.addAndGet(Duration.ofSeconds(4).toNanos()); // 1.2 earned back per failure
    }
    hold("y", "10.0.0.7");
    assertThat(refused("peer_failures")).isZero();
  }
}
