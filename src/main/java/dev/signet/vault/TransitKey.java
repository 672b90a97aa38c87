package dev.signet.vault;

import dev.signet.error.SignetException;
import dev.signet.pki.Pem;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.spec.X509EncodedKeySpec;
import java.util.Map;

/** One version of a Transit key: its public key, and a CSR that Transit signs with it. */
record TransitKey(String mount, String name, int version, byte[] spki) {
  /** The latest version of {@code mount/keys/name}. */
  static TransitKey latest(VaultClient client, String mount, String name) {
    JsonObject data = client.read("transit key", mount + "/keys/" + name).get("data").asObject();
    int version = data.getInt("latest_version", 0);
    JsonValue entry = data.get("keys").asObject().get(Integer.toString(version));
    String pem = entry != null && entry.isObject()
        ? entry.asObject().getString("public_key", "") : "";
    for (Pem.Block b : Pem.decodeAll(pem)) {
      if (b.type().equals("PUBLIC KEY")) {
        return new TransitKey(mount, name, version, b.der());
      }
    }
    throw SignetException.unavailable("Transit key " + mount + "/keys/" + name + " v" + version
        + " has no public key (use an ecdsa-p256/p384 or rsa key)", null);
  }

  /** A PKCS#10 CSR signed by this key version inside Vault (the subject is set by the signer). */
  String csr(VaultClient client) {
    return client.write("transit csr", mount + "/keys/" + name + "/csr",
        Map.of("version", version)).get("data").asObject().getString("csr", "");
  }

  PublicKey publicKey() {
    for (String algorithm : new String[] {"EC", "RSA"}) {
      try {
        return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(spki));
      } catch (GeneralSecurityException e) {
        // try the next algorithm
      }
    }
    throw SignetException.unavailable("Transit key " + name + " has an unsupported key type",
        null);
  }
}
