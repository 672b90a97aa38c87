package dev.signet.testing;

import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonObject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/** Vault's HTTP API as the tests' servers call it: JSON in, JSON out, non-2xx fails. */
final class VaultHttp {
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(2)).build();

  /** Whether {@code address}/v1/sys/health answers with {@code status} (false if it does not answer). */
  boolean health(String address, int status) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(address + "/v1/sys/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode() == status;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Any answer at all from {@code address}/v1/sys/health (sealed or not). */
  boolean answers(String address) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(address + "/v1/sys/health"))
          .timeout(Duration.ofSeconds(2)).build(), HttpResponse.BodyHandlers.discarding())
          .statusCode() > 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  JsonObject call(String address, String method, String path, String jsonBody, String token) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(address + "/v1/" + path))
        .timeout(Duration.ofSeconds(30))
        .method(method, jsonBody == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(jsonBody));
    if (token != null) {
      b.header("X-Vault-Token", token);
    }
    try {
      HttpResponse<String> r = http.send(b.build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() / 100 != 2) {
        throw new IllegalStateException(method + " " + path + " -> HTTP " + r.statusCode()
            + ": " + r.body());
      }
      return r.body().isBlank() ? new JsonObject() : Json.parse(r.body()).asObject();
    } catch (IOException e) {
      throw new UncheckedIOException(method + " " + path + " failed", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }
}
