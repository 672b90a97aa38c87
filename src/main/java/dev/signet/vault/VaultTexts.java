package dev.signet.vault;

import dev.signet.ca.CaFiles;
import dev.signet.ca.CaFiles.InvalidCaException;
import dev.signet.ca.SigningAuthority;
import dev.signet.config.SignetConfig.Kv;
import dev.signet.pki.Pem;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/** Reads Istio's plug-in CA layout out of Vault answers (a KV v2 secret, a PEM chain). */
final class VaultTexts {
  private VaultTexts() {}

  /** A layout and the KV version it was read from. */
  record Versioned(CaFiles.Texts texts, long version) {}

  /** The current version of a KV v2 secret, from its metadata (no secret is read). */
  static long kvVersion(VaultClient client, Kv kv) {
    JsonObject answer = client.read("kv metadata", kv.mount() + "/metadata/" + kv.path());
    return answer.get("data").asObject().getLong("current_version", 0);
  }

  /** Reads the fields ca-cert.pem, ca-key.pem, cert-chain.pem, root-cert.pem of the secret. */
  static Versioned kv(VaultClient client, Kv kv) {
    String path = kv.mount() + "/data/" + kv.path();
    JsonObject data = client.read("kv read", path).get("data").asObject();
    JsonObject fields = data.get("data").asObject();
    long version = data.get("metadata").asObject().getLong("version", 0);
    String origin = "Vault KV " + path + " version " + version;
    return new Versioned(new CaFiles.Texts(origin, field(fields, CaFiles.CA_CERT),
        field(fields, CaFiles.CA_KEY), field(fields, CaFiles.CERT_CHAIN),
        field(fields, CaFiles.ROOT_CERT)), version);
  }

  private static String field(JsonObject fields, String name) {
    JsonValue v = fields.get(name);
    return v == null || !v.isString() || v.asString().isBlank() ? null : v.asString();
  }

  /**
   * The layout of a PEM chain, signing certificate first: the whole chain as cert-chain.pem and
   * its self-signed certificates as root-cert.pem. No key.
   */
  static CaFiles.Texts fromChain(String origin, String pemChain) throws InvalidCaException {
    List<X509Certificate> certs;
    try {
      certs = Pem.certificates(pemChain);
    } catch (CertificateException e) {
      throw new InvalidCaException("the chain from " + origin + " is not PEM certificates");
    }
    if (certs.isEmpty()) {
      throw new InvalidCaException(origin + " holds no certificate chain");
    }
    StringBuilder roots = new StringBuilder();
    for (X509Certificate c : certs) {
      if (SigningAuthority.isSelfSigned(c)) {
        roots.append(Pem.encode(c));
      }
    }
    if (roots.length() == 0) {
      throw new InvalidCaException("the chain from " + origin + " does not end in a root "
          + "(self-signed) certificate; include the root so workloads get their trust anchor");
    }
    StringBuilder chain = new StringBuilder();
    certs.forEach(c -> chain.append(Pem.encode(c)));
    return new CaFiles.Texts(origin, Pem.encode(certs.get(0)), null, chain.toString(),
        roots.toString());
  }
}
