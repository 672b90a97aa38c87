package dev.signet.csr;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.config.SignetConfig.ProviderChoice;
import dev.signet.crypto.CryptoProvider;
import dev.signet.error.SignetException;
import dev.signet.pki.Pem;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The CSR reader ({@link DerCursor}, {@link CsrParser}) against Bouncy Castle's {@code
 * PKCS10CertificationRequest} under the same policy ({@link BcCsrReference}), on random and
 * mutated CSRs ({@link RandomCsrs}): for every input either both accept with the same key
 * (byte for byte: Signet copies it into the certificate), URI and key type, or Signet refuses.
 * Signet may be stricter, never looser; and on unmutated inputs it is stricter only where its
 * rules say so (the subject's string types), so the comparison is never vacuous.
 */
class CsrDifferentialTest {
  /** Per provider: the signature check is the provider's, and providers differ in leniency. */
  @ParameterizedTest
  @EnumSource(value = ProviderChoice.class, names = {"NATIVE", "BOUNCYCASTLE", "JDK"})
  void signetAcceptsOnlyWhatBouncyCastleAcceptsAndReadsItTheSameWay(ProviderChoice provider)
      throws Exception {
    CsrParser parser = new CsrParser(CryptoProvider.select(provider));
    RandomCsrs inputs = new RandomCsrs(20261129L);
    int both = 0;
    int stricter = 0;
    List<String> looser = new ArrayList<>();
    List<String> unexpectedlyStricter = new ArrayList<>();
    for (int i = 0; i < 1500; i++) {
      RandomCsrs.Input in = inputs.next();
      Optional<BcCsrReference.Accepted> reference = BcCsrReference.check(in.der());
      CertificateRequest signet;
      try {
        signet = parser.parse(Pem.encode("CERTIFICATE REQUEST", in.der()));
      } catch (SignetException e) {
        assertThat(e.kind()).as(in.description()).isEqualTo(SignetException.Kind.INVALID_REQUEST);
        if (reference.isPresent()) {
          stricter++;
          if (!in.mutated() && !in.description().contains("subject 8")) {
            unexpectedlyStricter.add(in.description() + ": " + e.getMessage());
          }
        }
        continue;
      }
      if (reference.isEmpty()) {
        looser.add(in.description());
        continue;
      }
      assertThat(signet.publicKeyInfo()).as(in.description())
          .isEqualTo(reference.get().publicKeyInfo());
      assertThat(signet.uri()).as(in.description()).isEqualTo(reference.get().uri());
      assertThat(signet.keyType()).as(in.description()).isEqualTo(reference.get().keyType());
      both++;
    }
    System.out.printf("CSR differential (%s): %d accepted by both, %d refused only by Signet%n",
        provider, both, stricter);
    assertThat(looser).as("accepted by Signet, refused by the reference").isEmpty();
    assertThat(unexpectedlyStricter).as("well-formed inputs only Signet refuses").isEmpty();
    assertThat(both).as("inputs both accept").isGreaterThan(150);
  }
}
