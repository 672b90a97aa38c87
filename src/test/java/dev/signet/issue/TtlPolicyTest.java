package dev.signet.issue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.signet.config.ConfigLoader;
import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class TtlPolicyTest {
  private final TtlPolicy policy = TtlPolicy.of(ConfigLoader.withDefaults().load().issuance());
  private final Instant now = Instant.parse("2026-11-22T12:00:00Z");
  private final Instant farAway = now.plus(Duration.ofDays(365));

  @Test
  void grantsTheDefaultWhenNothingIsRequested() {
    assertThat(policy.grant(0)).isEqualTo(Duration.ofHours(24));
    assertThat(policy.grant(-5)).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void clampsASevenDayRequestToTheMaximumInsteadOfRefusing() {
    assertThat(policy.grant(Duration.ofDays(7).toSeconds())).isEqualTo(Duration.ofHours(24));
  }

  @Test
  void raisesTooShortRequestsToTheMinimum() {
    assertThat(policy.grant(60)).isEqualTo(Duration.ofHours(1));
  }

  @Test
  void grantsARequestWithinBoundsAsAsked() {
    assertThat(policy.grant(43_200)).isEqualTo(Duration.ofHours(12));
  }

  @Test
  void neverOutlivesTheSigningCertificate() {
    Instant signerEnds = now.plus(Duration.ofHours(3));
    assertThat(policy.notAfter(now, 86_400, signerEnds)).isEqualTo(signerEnds);
    assertThat(policy.notAfter(now, 86_400, farAway)).isEqualTo(now.plus(Duration.ofHours(24)));
  }

  @Test
  void rejectsContradictoryBounds() {
    assertThatThrownBy(() -> new TtlPolicy(Duration.ofHours(1), Duration.ofHours(2),
        Duration.ofHours(3))).hasMessage("need minTtl <= defaultTtl <= maxTtl");
  }
}
