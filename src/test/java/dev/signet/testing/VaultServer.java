package dev.signet.testing;

import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.nio.file.Path;

/**
 * A real Vault for a test, with KV v2 at {@code secret/} and Transit at {@code transit/}, and a
 * root token for setting it up (Signet itself gets least-privilege credentials): in a container
 * ({@link VaultContainerServer}, the common case) or as a local process that can also be
 * restarted on the same port ({@link VaultTestServer}). {@link #close()} removes it.
 */
public interface VaultServer extends AutoCloseable {
  /** The HTTP address tests and Signet use, {@code http://<loopback host>:<port>}. */
  String address();

  /** The root token. */
  String rootToken();

  /** A {@code vault} CLI on this host, for deploy/vault/setup.sh (VAULT_BIN). */
  Path cli();

  /** An outage from now on: the address no longer answers. */
  void stop();

  /** A call with {@code token}; fails on any non-2xx answer with Vault's errors. */
  JsonObject call(String method, String path, String jsonBody, String token);

  /** A call with the root token; the parsed answer (empty for 204). */
  default JsonObject root(String method, String path, String jsonBody) {
    return call(method, path, jsonBody, rootToken());
  }

  @Override
  void close();

  /** A JSON string literal. */
  static String quote(String s) {
    return Json.value(s).toString();
  }

  /** The {@code data} object of an answer. */
  static JsonObject data(JsonObject answer) {
    JsonValue d = answer.get("data");
    return d == null ? new JsonObject() : d.asObject();
  }
}
