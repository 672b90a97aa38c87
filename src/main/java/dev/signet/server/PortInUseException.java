package dev.signet.server;

import java.io.IOException;
import java.net.BindException;

/** A listener could not bind because its port is taken; names the configuration key. */
public final class PortInUseException extends IOException {
  private static final long serialVersionUID = 1L;

  private final String key;
  private final String address;
  private final int port;

  private PortInUseException(String key, String address, int port, Throwable cause) {
    super(key + " " + port + " on " + address + " is already in use", cause);
    this.key = key;
    this.address = address;
    this.port = port;
  }

  /** The key that chose the port, e.g. {@code server.grpc-port}. */
  public String key() {
    return key;
  }

  public String address() {
    return address;
  }

  public int port() {
    return port;
  }

  /**
   * {@code e} as a port-in-use failure of {@code key} when a bind failure caused it (the JDK's
   * {@link BindException}, or netty's native "Address already in use"), else {@code e}.
   */
  static IOException classify(IOException e, String key, String address, int port) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof BindException || String.valueOf(t.getMessage())
          .contains("Address already in use")) {
        return new PortInUseException(key, address, port, e);
      }
    }
    return e;
  }
}
