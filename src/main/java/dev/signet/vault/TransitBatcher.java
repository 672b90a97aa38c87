package dev.signet.vault;

import static java.util.Objects.requireNonNull;

import dev.signet.concurrent.DaemonThreads;
import dev.signet.error.SignetException;
import io.github.jopenlibs.vault.json.Json;
import io.github.jopenlibs.vault.json.JsonArray;
import io.github.jopenlibs.vault.json.JsonObject;
import io.github.jopenlibs.vault.json.JsonValue;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;

/**
 * Coalesces digests waiting for a Transit signature into {@code batch_input} calls: the first
 * waiting digest opens a window ({@code batch-window}); whatever arrives within it, up to
 * {@code max-batch}, goes in the same call. A few calls run at once; while they all run, waiting
 * digests accumulate into bigger batches, so throughput grows with load instead of the number of
 * HTTP round trips.
 *
 * <p>Guarantees: results are matched to requests by position (Transit keeps the order); an item
 * Vault refuses fails only its own request; the queue is bounded and a full queue, or a Vault
 * that just failed, refuses new digests at once with UNAVAILABLE instead of piling them up.
 */
final class TransitBatcher implements AutoCloseable {
  private static final Logger LOG = Logger.getLogger(TransitBatcher.class.getName());
  private static final int SENDERS = 4;
  /** After Vault failed, new digests are refused for this long (agents retry). */
  private static final long DOWN_PAUSE_NANOS = TimeUnit.MILLISECONDS.toNanos(500);

  private final VaultClient client;
  private final VaultMetrics metrics;
  private final String path;
  private final Map<String, Object> parameters;
  private final long windowNanos;
  private final int maxBatch;
  private final ArrayBlockingQueue<Pending> queue;
  private final Semaphore inFlight = new Semaphore(SENDERS);
  private final ExecutorService senders;
  private final Thread dispatcher;
  private volatile long downUntil;
  private volatile boolean closed;

  /** A digest waiting for its signature. */
  record Pending(String input, CompletableFuture<Signed> result) {}

  /** A signature and the key version Vault says made it. */
  record Signed(byte[] signature, int keyVersion) {}

  TransitBatcher(VaultClient client, VaultMetrics metrics, String mount, String key,
      Map<String, Object> parameters, Duration window, int maxBatch, int maxQueued) {
    this.client = requireNonNull(client);
    this.metrics = requireNonNull(metrics);
    this.path = mount + "/sign/" + key;
    this.parameters = Map.copyOf(parameters);
    this.windowNanos = window.toNanos();
    this.maxBatch = maxBatch;
    this.queue = new ArrayBlockingQueue<>(maxQueued);
    this.senders = Executors.newFixedThreadPool(SENDERS, DaemonThreads.named("signet-transit-send"));
    this.dispatcher = new Thread(this::dispatch, "signet-transit-batch");
    dispatcher.setDaemon(true);
    dispatcher.start();
  }

  /** Where failures that reach a caller are logged and made short (one per Vault client). */
  CallerFailures callerFailures() {
    return client.callerFailures();
  }

  /** Queues one digest; the future completes with its signature or a SignetException. */
  CompletableFuture<Signed> submit(byte[] digest) {
    return submitInput(Base64.getEncoder().encodeToString(digest));
  }

  /** Queues one already-encoded {@code input} item (package-private for tests). */
  CompletableFuture<Signed> submitInput(String input) {
    CompletableFuture<Signed> f = new CompletableFuture<>();
    if (closed) {
      f.completeExceptionally(SignetException.unavailable("the Transit signer is closed", null));
      return f;
    }
    if (System.nanoTime() - downUntil < 0) {
      metrics.rejected();
      f.completeExceptionally(SignetException.unavailable("Vault Transit at " + client.address()
          + " failed moments ago; not queueing more signatures", null));
      return f;
    }
    if (!queue.offer(new Pending(input, f))) {
      metrics.rejected();
      f.completeExceptionally(SignetException.unavailable("Vault Transit is not keeping up: "
          + queue.size() + " signatures already wait (ca.vault.transit.max-queued)", null));
    }
    return f;
  }

  private void dispatch() {
    List<Pending> batch = new ArrayList<>(maxBatch);
    while (!closed) {
      try {
        Pending first = queue.poll(200, TimeUnit.MILLISECONDS);
        if (first == null) {
          continue;
        }
        batch.add(first);
        long deadline = System.nanoTime() + windowNanos;
        while (batch.size() < maxBatch) {
          long left = deadline - System.nanoTime();
          Pending next = left > 0 ? queue.poll(left, TimeUnit.NANOSECONDS) : queue.poll();
          if (next == null) {
            break;
          }
          batch.add(next);
        }
        inFlight.acquire();
        // Digests that arrived while every sender was busy join this batch.
        queue.drainTo(batch, maxBatch - batch.size());
        List<Pending> send = List.copyOf(batch);
        batch.clear();
        senders.execute(() -> {
          try {
            send(send);
          } finally {
            inFlight.release();
          }
        });
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      } catch (RuntimeException e) {
        // Never let the dispatcher die: fail what it held and go on.
        SignetException failure = SignetException.internal("Transit batching failed", e);
        batch.forEach(p -> p.result().completeExceptionally(failure));
        batch.clear();
      }
    }
    failAll(SignetException.unavailable("the Transit signer is closed", null));
  }

  private void send(List<Pending> batch) {
    try {
      sendBatch(batch);
    } finally {
      // Whatever went wrong, no request of this batch waits for its timeout.
      for (Pending p : batch) {
        if (!p.result().isDone()) {
          p.result().completeExceptionally(SignetException.unavailable(
              "Vault Transit gave no usable answer for this signature", null));
        }
      }
    }
  }

  private void sendBatch(List<Pending> batch) {
    metrics.batch(batch.size());
    JsonArray inputs = new JsonArray();
    for (Pending p : batch) {
      inputs.add(Json.object().add("input", p.input()));
    }
    Map<String, Object> body = new LinkedHashMap<>(parameters);
    body.put("batch_input", inputs);
    JsonArray results;
    try {
      JsonObject answer = client.write("transit sign", path, body);
      results = answer.get("data").asObject().get("batch_results").asArray();
    } catch (RuntimeException e) {
      if (e instanceof VaultClient.VaultHttpException v && (v.status == 0 || v.status >= 500)) {
        downUntil = System.nanoTime() + DOWN_PAUSE_NANOS;
      }
      SignetException failure = VaultClient.unavailable("Vault Transit signing", e);
      LOG.warning(() -> failure.getMessage() + " (" + batch.size() + " requests)");
      batch.forEach(p -> p.result().completeExceptionally(failure));
      return;
    }
    for (int i = 0; i < batch.size(); i++) {
      CompletableFuture<Signed> f = batch.get(i).result();
      if (i >= results.size()) {
        f.completeExceptionally(SignetException.unavailable("Vault Transit returned "
            + results.size() + " results for " + batch.size() + " inputs", null));
        continue;
      }
      complete(f, results.get(i));
    }
  }

  /** Completes {@code f} from its batch item; a malformed item fails only {@code f}. */
  private static void complete(CompletableFuture<Signed> f, JsonValue item) {
    String error;
    String signature;
    try {
      JsonObject o = item.asObject();
      error = text(o, "error");
      signature = text(o, "signature");
    } catch (RuntimeException malformed) {
      f.completeExceptionally(SignetException.unavailable("Vault Transit returned a malformed "
          + "batch result (not an object with string fields)", null));
      return;
    }
    if (!error.isEmpty() || signature.isEmpty()) {
      f.completeExceptionally(SignetException.unavailable("Vault Transit refused this signature: "
          + (error.isEmpty() ? "no signature returned" : error), null));
      return;
    }
    try {
      f.complete(parse(signature));
    } catch (IllegalArgumentException e) {
      f.completeExceptionally(SignetException.unavailable("Vault Transit returned a malformed "
          + "signature: " + e.getMessage(), null));
    }
  }

  /** A string member, "" when absent or null; fails on any other type. */
  private static String text(JsonObject o, String name) {
    JsonValue v = o.get(name);
    if (v == null || v.isNull()) {
      return "";
    }
    return v.asString();
  }

  /** Parses {@code vault:v<N>:<base64>}. */
  static Signed parse(String s) {
    if (!s.startsWith("vault:v")) {
      throw new IllegalArgumentException("no 'vault:v' prefix");
    }
    int colon = s.indexOf(':', 7);
    if (colon < 0) {
      throw new IllegalArgumentException("no version separator");
    }
    int version;
    try {
      version = Integer.parseInt(s.substring(7, colon));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("the key version is not a number");
    }
    return new Signed(Base64.getDecoder().decode(s.substring(colon + 1)), version);
  }

  private void failAll(SignetException e) {
    List<Pending> left = new ArrayList<>();
    queue.drainTo(left);
    left.forEach(p -> p.result().completeExceptionally(e));
  }

  @Override
  public void close() {
    closed = true;
    dispatcher.interrupt();
    senders.shutdown();
    failAll(SignetException.unavailable("the Transit signer is closed", null));
  }
}
