package dev.signet.spiffe;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class SpiffeIdTest {
  @Test
  void roundTripsTheKubernetesShape() {
    SpiffeId id = SpiffeId.parse("spiffe://cluster.local/ns/default/sa/bookinfo-productpage");
    assertThat(id.trustDomain()).isEqualTo("cluster.local");
    assertThat(id.namespace()).isEqualTo("default");
    assertThat(id.serviceAccount()).isEqualTo("bookinfo-productpage");
    assertThat(id).isEqualTo(SpiffeId.of("cluster.local", "default", "bookinfo-productpage"));
    assertThat(id.toString()).isEqualTo("spiffe://cluster.local/ns/default/sa/bookinfo-productpage");
  }

  @Test
  void rejectsOtherShapes() {
    assertThatThrownBy(() -> SpiffeId.parse("https://cluster.local/ns/a/sa/b"))
        .hasMessage("not a spiffe:// URI");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://cluster.local/ns/a/sa/b/extra"))
        .hasMessageContaining("must have the form");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://cluster.local/ns/A/sa/b"))
        .hasMessage("invalid namespace in SPIFFE ID");
    assertThatThrownBy(() -> SpiffeId.parse("spiffe://Cluster.Local/ns/a/sa/b"))
        .hasMessage("invalid trust domain in SPIFFE ID");
  }
}
