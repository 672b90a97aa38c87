package dev.signet.grpc;

import dev.signet.concurrent.DaemonThreads;
import io.grpc.ForwardingServerCall.SimpleForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.netty.util.HashedWheelTimer;
import io.netty.util.Timeout;
import io.netty.util.TimerTask;
import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * Closes a call that has not sent its whole request (message and end of stream) within the
 * request timeout, with DEADLINE_EXCEEDED. Without it a client could open streams that send
 * only headers and hold server memory for as long as it keeps the connection.
 *
 * <p>The wait is bounded too: at most {@code maxPending} calls may be waiting for their request
 * at once, over all connections; beyond that a new call is refused at once with
 * RESOURCE_EXHAUSTED. Timers live on one hashed wheel (constant time to start and cancel).
 *
 * <p>Each call's limit is the request timeout plus a random part of up to a quarter of it, so
 * that calls opened together (a client filling every stream it may open at once) do not all
 * expire in the same tick: their closing work is spread out instead of arriving as one burst in
 * front of other clients' calls on the same event loop.
 *
 * <p>Which side closes is decided once, by a compare-and-set: either the request completes (or
 * the call ends) first and the timer is cancelled, or the timer fires first, closes the call and
 * every later event of the call is dropped, so the service never sees it and never answers it.
 */
final class RequestDeadline implements ServerInterceptor, AutoCloseable {
  private static final ServerCall.Listener<Object> NOTHING = new ServerCall.Listener<>() {};

  private final HashedWheelTimer timer;
  private final long timeoutNanos;
  private final long jitterNanos;
  private final String timeoutText;
  private final Consumer<String> refused;

  /**
   * @param refused told the reason of each call this closes or refuses
   *     ({@code request_timeout} or {@code pending_limit})
   */
  RequestDeadline(Duration timeout, int maxPending, Consumer<String> refused) {
    this.timeoutNanos = timeout.toNanos();
    this.jitterNanos = Math.max(1, timeoutNanos / 4);
    this.timeoutText = dev.signet.config.Durations.format(timeout);
    this.refused = refused;
    this.timer = new HashedWheelTimer(DaemonThreads.named("signet-request-deadline"), 50,
        TimeUnit.MILLISECONDS, 512, true, maxPending);
  }

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(ServerCall<Q, R> call, Metadata headers,
      ServerCallHandler<Q, R> next) {
    Guard<Q, R> guard = new Guard<>(call);
    try {
      guard.timeout = timer.newTimeout(guard, timeoutNanos
          + ThreadLocalRandom.current().nextLong(jitterNanos), TimeUnit.NANOSECONDS);
    } catch (RejectedExecutionException tooMany) {
      refused.accept("pending_limit");
      call.close(Status.RESOURCE_EXHAUSTED.withDescription("too many calls are waiting for "
          + "their request; retry with backoff"), new Metadata());
      return nothing();
    }
    guard.delegate = next.startCall(guard.call, headers);
    return guard;
  }

  @Override
  public void close() {
    timer.stop();
  }

  @SuppressWarnings("unchecked")
  private static <T> ServerCall.Listener<T> nothing() {
    return (ServerCall.Listener<T>) NOTHING;
  }

  /** States of a guarded call. */
  private static final int WAITING = 0;
  private static final int DONE = 1;
  private static final int EXPIRED = 2;

  /** The listener of one call and its timer task. */
  private final class Guard<Q, R> extends ServerCall.Listener<Q> implements TimerTask {
    private final AtomicInteger state = new AtomicInteger(WAITING);
    private final ServerCall<Q, R> call;
    private ServerCall.Listener<Q> delegate = nothing();
    private volatile Timeout timeout;

    Guard(ServerCall<Q, R> call) {
      this.call = new SimpleForwardingServerCall<>(call) {
        @Override
        public void close(Status status, Metadata trailers) {
          // The service (or an interceptor) answers: the deadline no longer applies.
          finish();
          super.close(status, trailers);
        }
      };
    }

    @Override
    public void run(Timeout t) {
      if (state.compareAndSet(WAITING, EXPIRED)) {
        refused.accept("request_timeout");
        call.close(Status.DEADLINE_EXCEEDED.withDescription("the request did not arrive whole "
            + "within " + timeoutText + "; send the message and end the stream at once"),
            new Metadata());
      }
    }

    private boolean live() {
      return state.get() != EXPIRED;
    }

    private void finish() {
      if (state.compareAndSet(WAITING, DONE)) {
        Timeout t = timeout;
        if (t != null) {
          t.cancel();
        }
      }
    }

    @Override
    public void onMessage(Q message) {
      if (live()) {
        delegate.onMessage(message);
      }
    }

    @Override
    public void onHalfClose() {
      finish();
      if (live()) {
        delegate.onHalfClose();
      }
    }

    @Override
    public void onCancel() {
      finish();
      if (live()) {
        delegate.onCancel();
      }
    }

    @Override
    public void onComplete() {
      finish();
      if (live()) {
        delegate.onComplete();
      }
    }

    @Override
    public void onReady() {
      if (live()) {
        delegate.onReady();
      }
    }
  }
}
