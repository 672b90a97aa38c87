package dev.signet.ca;

/**
 * Where the current signing authority comes from. A source may rotate its authority at any time;
 * callers read {@link #current()} once per request and use that snapshot throughout.
 */
public interface CaSource extends AutoCloseable {
  /**
   * The authority to sign with now.
   *
   * @throws dev.signet.error.SignetException UNAVAILABLE when there is no usable authority
   */
  SigningAuthority current();

  /** A short description for logs: the kind of source and where it reads from. */
  String describe();

  @Override
  void close();
}
