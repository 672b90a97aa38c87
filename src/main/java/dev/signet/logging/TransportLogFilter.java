package dev.signet.logging;

import java.time.Duration;
import java.util.List;
import java.util.logging.Filter;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;

/**
 * grpc-netty logs a client's protocol mistakes (an oversized message, a flow-control violation,
 * a malformed frame) at WARNING with a full stack trace, once per stream: any client could fill
 * the logs. On grpc-netty's server-side loggers, this filter turns each such record into one
 * line without the stack trace, at most one per logger and exception class per interval.
 * Records of level SEVERE (a bug, not a client's mistake) pass unchanged.
 */
public final class TransportLogFilter implements Filter {
  private static final Duration INTERVAL = Duration.ofSeconds(10);
  private static final List<String> LOGGERS = List.of(
      "io.grpc.netty.NettyServerStream",
      "io.grpc.netty.NettyServerHandler",
      "io.grpc.netty.NettyServerTransport",
      // "Transport failed" at INFO, once per connection a client makes the server cut off.
      "io.grpc.netty.NettyServerTransport.connections");
  /** Held so the configured loggers (weakly referenced by the LogManager) keep the filter. */
  private static final List<Logger> FILTERED = LOGGERS.stream().map(Logger::getLogger).toList();
  private static final TransportLogFilter INSTANCE = new TransportLogFilter();

  private static final java.util.logging.Formatter FORMAT = new java.util.logging.SimpleFormatter();

  private final LogLimiter limiter = new LogLimiter(INTERVAL);

  private TransportLogFilter() {}

  /** Installs the filter on grpc-netty's server loggers; idempotent. */
  public static void install() {
    FILTERED.forEach(l -> l.setFilter(INSTANCE));
  }

  @Override
  public boolean isLoggable(LogRecord record) {
    Throwable thrown = record.getThrown();
    if (thrown == null || record.getLevel().intValue() >= Level.SEVERE.intValue()) {
      return true;
    }
    int held = limiter.admit(record.getLoggerName() + "/" + thrown.getClass().getName());
    if (held < 0) {
      return false;
    }
    String message = FORMAT.formatMessage(record);
    record.setThrown(null);
    record.setParameters(null);
    record.setMessage("client protocol error: " + message + ": " + firstLine(thrown)
        + LogLimiter.held(held, INTERVAL));
    return true;
  }

  private static String firstLine(Throwable t) {
    String s = t.toString();
    int nl = s.indexOf('\n');
    return nl < 0 ? s : s.substring(0, nl);
  }
}
