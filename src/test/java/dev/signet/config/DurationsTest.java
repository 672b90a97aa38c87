package dev.signet.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class DurationsTest {
  @Test
  void parsesGoStyleDurations() {
    assertThat(Durations.parse("24h")).isEqualTo(Duration.ofHours(24));
    assertThat(Durations.parse("1h30m")).isEqualTo(Duration.ofMinutes(90));
    assertThat(Durations.parse("500ms")).isEqualTo(Duration.ofMillis(500));
    assertThat(Durations.parse("90d")).isEqualTo(Duration.ofDays(90));
  }

  @Test
  void rejectsTextThatIsNotADuration() {
    assertThatThrownBy(() -> Durations.parse("24")).hasMessageContaining("not a duration");
    assertThatThrownBy(() -> Durations.parse("1h-5m")).hasMessageContaining("not a duration");
  }

  @Test
  void formatsCompactly() {
    assertThat(Durations.format(Duration.ofMinutes(90))).isEqualTo("1h30m");
    assertThat(Durations.format(Duration.ofHours(24))).isEqualTo("24h");
  }
}
