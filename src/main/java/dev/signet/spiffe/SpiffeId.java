package dev.signet.spiffe;

import static java.util.Objects.requireNonNull;

import java.util.regex.Pattern;

/**
 * A SPIFFE ID of the Kubernetes shape Istio uses: {@code spiffe://<trust domain>/ns/<ns>/sa/<sa>}.
 * Instances are always well formed; {@link #toString()} is the URI.
 */
public final class SpiffeId {
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]{1,255}");
  // Kubernetes namespace (DNS label) and service-account (DNS subdomain) names.
  private static final Pattern NAMESPACE = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern SERVICE_ACCOUNT =
      Pattern.compile("[a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?");

  private final String trustDomain;
  private final String namespace;
  private final String serviceAccount;
  private final String uri;

  private SpiffeId(String trustDomain, String namespace, String serviceAccount) {
    this.trustDomain = trustDomain;
    this.namespace = namespace;
    this.serviceAccount = serviceAccount;
    this.uri = "spiffe://" + trustDomain + "/ns/" + namespace + "/sa/" + serviceAccount;
  }

  /** The identity of a Kubernetes service account in a trust domain. */
  public static SpiffeId of(String trustDomain, String namespace, String serviceAccount) {
    requireValid(TRUST_DOMAIN, requireNonNull(trustDomain, "trustDomain"), "trust domain");
    requireValid(NAMESPACE, requireNonNull(namespace, "namespace"), "namespace");
    requireValid(SERVICE_ACCOUNT, requireNonNull(serviceAccount, "serviceAccount"),
        "service account");
    return new SpiffeId(trustDomain, namespace, serviceAccount);
  }

  /**
   * Parses {@code spiffe://td/ns/<ns>/sa/<sa>}.
   *
   * @throws IllegalArgumentException with a message naming what is wrong
   */
  public static SpiffeId parse(String uri) {
    requireNonNull(uri, "uri");
    if (!uri.startsWith("spiffe://")) {
      throw new IllegalArgumentException("not a spiffe:// URI");
    }
    String rest = uri.substring("spiffe://".length());
    String[] parts = rest.split("/", -1);
    if (parts.length != 5 || !parts[1].equals("ns") || !parts[3].equals("sa")) {
      throw new IllegalArgumentException(
          "SPIFFE ID must have the form spiffe://<trust-domain>/ns/<namespace>/sa/<service-account>");
    }
    return of(parts[0], parts[2], parts[4]);
  }

  private static void requireValid(Pattern pattern, String value, String what) {
    if (!pattern.matcher(value).matches()) {
      throw new IllegalArgumentException("invalid " + what + " in SPIFFE ID");
    }
  }

  public String trustDomain() {
    return trustDomain;
  }

  public String namespace() {
    return namespace;
  }

  public String serviceAccount() {
    return serviceAccount;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SpiffeId other && uri.equals(other.uri);
  }

  @Override
  public int hashCode() {
    return uri.hashCode();
  }

  @Override
  public String toString() {
    return uri;
  }
}
