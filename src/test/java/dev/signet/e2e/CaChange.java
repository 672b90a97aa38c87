package dev.signet.e2e;

import java.security.cert.X509Certificate;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * A change of Signet's signing CA while the workloads call each other ({@link WorkloadCalls}):
 * it is made, then each agent must renew onto the new CA at its renewal time, with a chain that
 * verifies to the mesh's unchanged root.
 */
interface CaChange {
  /** For messages. */
  String name();

  /**
   * Makes the change while the agents hold {@code before}; returns what an agent's certificates
   * must be, besides verifying to the root, to count as renewed onto the new CA.
   */
  Renewed apply(List<AgentCerts> before) throws Exception;

  /** A test of an agent's certificates (an exception counts as "not yet"). */
  interface Renewed {
    boolean test(AgentCerts certs) throws Exception;
  }

  /** The files CA's intermediate replaced in the cacerts directory by {@code commonName}'s. */
  static CaChange filesReplacement(CaFilesDir ca, String commonName) {
    return new CaChange() {
      @Override
      public String name() {
        return "files CA replaced by " + commonName;
      }

      @Override
      public Renewed apply(List<AgentCerts> before) throws Exception {
        X509Certificate next = ca.replaceSigningCa(commonName);
        return c -> c.signing().equals(next);
      }
    };
  }

  /**
   * Signet's replicas rolled over, one at a time, to {@code ca.source=vault-pki}
   * ({@code settings}): each new replica has a key of its own and a signing certificate the
   * mesh intermediate issued for it.
   */
  static CaChange rollToVaultPki(SignetReplicas replicas, MeshVault vault, String... settings) {
    return new CaChange() {
      @Override
      public String name() {
        return "Signet rolled over to vault-pki";
      }

      @Override
      public Renewed apply(List<AgentCerts> before) throws Exception {
        replicas.roll("signet-vault", settings);
        return newVaultPkiCa(vault, before);
      }
    };
  }

  /**
   * vault-pki's own renewal: nothing is done but wait; each replica asks Vault for a new
   * signing certificate, for a new key, when {@code ca.vault.pki.renew-remaining} of its life
   * is left.
   */
  static CaChange vaultPkiRenewal(MeshVault vault) {
    return new CaChange() {
      @Override
      public String name() {
        return "vault-pki renewed its signing certificates";
      }

      @Override
      public Renewed apply(List<AgentCerts> before) {
        return newVaultPkiCa(vault, before);
      }
    };
  }

  /**
   * A vault-pki signing certificate (its subject, and Vault's own record of having issued it)
   * for a key none of {@code before} was signed with, so a new serial and a new key.
   */
  private static Renewed newVaultPkiCa(MeshVault vault, List<AgentCerts> before) {
    Set<String> oldKeys = before.stream().map(AgentCerts::issuerKey)
        .collect(Collectors.toSet());
    Set<X509Certificate> oldCas = before.stream().map(AgentCerts::signing)
        .collect(Collectors.toSet());
    return c -> {
      X509Certificate ca = c.signing();
      return ca.getSubjectX500Principal().getName().equals("CN=" + MeshVault.VAULT_PKI_CN)
          && !oldKeys.contains(c.issuerKey())
          && oldCas.stream().noneMatch(o -> o.getSerialNumber().equals(ca.getSerialNumber())
              || o.getPublicKey().equals(ca.getPublicKey()))
          && vault.issued(ca);
    };
  }
}
