package dev.signet.grpc;

import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Turns off grpc-netty's reading of TCP_INFO when a connection closes.
 *
 * <p>grpc-netty (1.85) reads each connection's TCP_INFO (retransmits, round-trip time) as the
 * connection closes, by reflection into netty's epoll channel, after netty has closed the socket:
 * every close throws and catches three exceptions with their stack traces. That was 3.3% of
 * Signet's CPU with a new connection per certificate (docs/architecture.md, "TLS"; the
 * before-and-after figures are in docs/benchmarks.md, issue 17). What it reads would go to a gRPC {@code MetricRecorder}, and Signet installs
 * none (its connection metrics are its own), so nothing is lost. grpc-netty has no switch for it;
 * its handle to netty's epoll classes is a static field, cleared here, after which it finds no
 * epoll support and returns at once. A gRPC release that renames the field leaves the cost in
 * place and nothing else ({@code GrpcTcpMetricsTest} then fails, so the upgrade notices).
 */
final class GrpcTcpMetrics {
  private static final Logger LOG = Logger.getLogger(GrpcTcpMetrics.class.getName());
  static final String CLASS = "io.grpc.netty.TcpMetrics";
  static final String FIELD = "epollInfo";

  private GrpcTcpMetrics() {}

  /**
   * Clears grpc-netty's epoll handle; true when it was found and cleared. Idempotent; when it
   * cannot, it says why at FINE and the server runs as before.
   */
  static boolean disable() {
    try {
      Field field = Class.forName(CLASS).getDeclaredField(FIELD);
      int modifiers = field.getModifiers();
      if (!Modifier.isStatic(modifiers) || Modifier.isFinal(modifiers)) {
        LOG.fine(() -> CLASS + "." + FIELD + " is not a mutable static field; left alone");
        return false;
      }
      field.setAccessible(true);
      field.set(null, null);
      return true;
    } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
      LOG.log(Level.FINE, "grpc-netty's TCP_INFO reading could not be turned off", e);
      return false;
    }
  }
}
