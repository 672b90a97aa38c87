package dev.signet.auth;

import dev.signet.error.SignetException;
import dev.signet.logging.ThrottledLog;
import java.time.Duration;
import java.util.Map;
import java.util.TreeSet;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * Picks the authenticator of the cluster a request names in its {@code clusterid} header: an
 * empty header, or the local cluster's id, means the local cluster. An id nobody configured is
 * UNAUTHENTICATED, naming the id it sent (the configured ones are only logged).
 */
public final class ClusterAuthenticator implements Authenticator {
  /** Per instance (per cluster), so one cluster's noise never hides another's. */
  private final ThrottledLog log = new ThrottledLog(
      Logger.getLogger(ClusterAuthenticator.class.getName()), Duration.ofSeconds(10));
  private final String localId;
  private final Authenticator local;
  private final Map<String, Authenticator> remote;
  private final String known;

  /**
   * @param remote authenticators of the other clusters, by id
   */
  public ClusterAuthenticator(String localId, Authenticator local,
      Map<String, Authenticator> remote) {
    this.localId = localId;
    this.local = local;
    this.remote = Map.copyOf(remote);
    TreeSet<String> ids = new TreeSet<>(remote.keySet());
    if (!localId.isEmpty()) {
      ids.add(localId);
    }
    this.known = String.join(", ", ids);
  }

  @Override
  public Caller authenticate(Credentials credentials) {
    return forCluster(credentials.clusterId()).authenticate(credentials);
  }

  @Override
  public boolean answersAtOnce(Credentials credentials) {
    try {
      return forCluster(credentials.clusterId()).answersAtOnce(credentials);
    } catch (SignetException unknownCluster) {
      return true;
    }
  }

  /** The authenticator for a cluster id. */
  public Authenticator forCluster(String clusterId) {
    if (clusterId.isEmpty() || clusterId.equals(localId)) {
      return local;
    }
    Authenticator a = remote.get(clusterId);
    if (a == null) {
      // The configured ids are Signet's business: logged, not told.
      log.log(Level.INFO, "unknown-cluster", () -> "a request named unknown cluster id '"
          + printable(clusterId) + "' in its clusterid header; configured: "
          + (known.isEmpty() ? "(only the local cluster)" : known)
          + " (auth.cluster-id, auth.clusters)");
      throw SignetException.unauthenticated("unknown cluster id '" + printable(clusterId)
          + "' in the clusterid header; see auth.clusters on the Signet side");
    }
    return a;
  }

  private static String printable(String s) {
    String cut = s.length() > 64 ? s.substring(0, 64) + "..." : s;
    return cut.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
