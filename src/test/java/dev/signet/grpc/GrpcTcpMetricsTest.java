package dev.signet.grpc;

import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.reflect.Field;
import org.junit.jupiter.api.Test;

class GrpcTcpMetricsTest {
  /**
   * Fails when a gRPC upgrade moves the handle GrpcTcpMetrics clears: then grpc-netty's
   * exception-throwing TCP_INFO read on close is back, and GrpcTcpMetrics needs a new look.
   */
  @Test
  void clearsGrpcNettysEpollHandle() throws Exception {
    assertTrue(GrpcTcpMetrics.disable(),
        GrpcTcpMetrics.CLASS + "." + GrpcTcpMetrics.FIELD + " is gone or no longer mutable");
    Field field = Class.forName(GrpcTcpMetrics.CLASS).getDeclaredField(GrpcTcpMetrics.FIELD);
    field.setAccessible(true);
    assertNull(field.get(null), "grpc-netty still holds its epoll handle");
  }
}
