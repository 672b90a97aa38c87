package dev.signet.lint;

import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The SPIFFE X509-SVID specification's rules (github.com/spiffe/spiffe, standards/X509-SVID.md
 * and SPIFFE-ID.md) as a list of violations; empty means conformant. go-spiffe's
 * {@code x509svid.Verify} (the interop suite's x509-svid scenario) checks the leaf's URI SAN,
 * CA flag and keyCertSign/cRLSign; these also check what it does not: digitalSignature, the
 * SPIFFE ID grammar, ExtKeyUsage, and the signing certificates.
 */
public final class SvidRules {
  private static final Pattern TRUST_DOMAIN = Pattern.compile("[a-z0-9._-]+");
  private static final Pattern SEGMENT = Pattern.compile("[A-Za-z0-9._-]+");
  private static final int DIGITAL_SIGNATURE = 0;
  private static final int KEY_CERT_SIGN = 5;
  private static final int CRL_SIGN = 6;

  private SvidRules() {}

  /**
   * A leaf SVID: exactly one URI SAN, a SPIFFE ID with a path in {@code trustDomain}; not a CA;
   * KeyUsage present and critical with digitalSignature and neither keyCertSign nor cRLSign;
   * ExtKeyUsage, when present, with serverAuth and clientAuth.
   */
  public static List<String> leaf(X509Certificate c, String trustDomain) throws
      CertificateParsingException {
    List<String> v = new ArrayList<>();
    List<String> uris = uris(c);
    if (uris.size() != 1) {
      v.add("a leaf SVID has exactly one URI SAN; this has " + uris);
    } else {
      String problem = spiffeIdProblem(uris.get(0), trustDomain, true);
      if (problem != null) {
        v.add(problem);
      }
    }
    if (c.getBasicConstraints() != -1) {
      v.add("a leaf SVID must not be a CA");
    }
    boolean[] ku = c.getKeyUsage();
    if (ku == null || !c.getCriticalExtensionOIDs().contains("2.5.29.15")) {
      v.add("an SVID has a critical KeyUsage");
    } else {
      if (!ku[DIGITAL_SIGNATURE]) {
        v.add("a leaf SVID's KeyUsage has digitalSignature");
      }
      if (ku[KEY_CERT_SIGN] || ku[CRL_SIGN]) {
        v.add("a leaf SVID's KeyUsage has neither keyCertSign nor cRLSign");
      }
    }
    List<String> eku = c.getExtendedKeyUsage();
    if (eku != null && !eku.containsAll(List.of("1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"))) {
      v.add("a leaf SVID's ExtKeyUsage, when present, has serverAuth and clientAuth: " + eku);
    }
    return v;
  }

  /**
   * A signing certificate: CA=true, KeyUsage with keyCertSign, and either no URI SAN or one
   * SPIFFE ID of {@code trustDomain} with no path; {@code below} CA certificates under it
   * within its pathLenConstraint.
   */
  public static List<String> signing(X509Certificate c, String trustDomain, int below)
      throws CertificateParsingException {
    List<String> v = new ArrayList<>();
    int pathLen = c.getBasicConstraints();
    if (pathLen < 0) {
      v.add("a signing certificate has CA=true");
    } else if (pathLen < below) {
      v.add("pathLenConstraint " + pathLen + " but " + below + " CA certificates below it");
    }
    boolean[] ku = c.getKeyUsage();
    if (ku == null || !ku[KEY_CERT_SIGN]) {
      v.add("a signing certificate's KeyUsage has keyCertSign");
    }
    List<String> uris = uris(c);
    if (uris.size() > 1) {
      v.add("a signing certificate has at most one URI SAN: " + uris);
    } else if (uris.size() == 1) {
      String problem = spiffeIdProblem(uris.get(0), trustDomain, false);
      if (problem != null) {
        v.add(problem);
      }
    }
    return v;
  }

  /**
   * What is wrong with {@code id} as a SPIFFE ID of {@code trustDomain} (SPIFFE-ID.md section 2),
   * or null: scheme spiffe, a lower-case trust domain, no user, port, query or fragment, path
   * segments of letters, digits, '.', '-', '_' and never "." or "..", at most 2048 bytes.
   */
  static String spiffeIdProblem(String id, String trustDomain, boolean pathRequired) {
    String prefix = "spiffe://" + trustDomain;
    if (id.length() > 2048) {
      return "a SPIFFE ID is at most 2048 bytes";
    }
    if (!id.startsWith("spiffe://")) {
      return "not a spiffe:// URI: " + id;
    }
    String rest = id.substring("spiffe://".length());
    int slash = rest.indexOf('/');
    String td = slash < 0 ? rest : rest.substring(0, slash);
    if (!TRUST_DOMAIN.matcher(td).matches()) {
      return "invalid trust domain in " + id;
    }
    if (!id.startsWith(prefix) || (id.length() > prefix.length()
        && id.charAt(prefix.length()) != '/')) {
      return id + " is not in trust domain " + trustDomain;
    }
    if (slash < 0) {
      return pathRequired ? "a leaf SVID's SPIFFE ID has a path: " + id : null;
    }
    if (!pathRequired) {
      return "a signing certificate's SPIFFE ID has no path: " + id;
    }
    for (String segment : rest.substring(slash + 1).split("/", -1)) {
      if (!SEGMENT.matcher(segment).matches() || segment.equals(".")
          || segment.equals("..")) {
        return "invalid path segment '" + segment + "' in " + id;
      }
    }
    return null;
  }

  private static List<String> uris(X509Certificate c) throws CertificateParsingException {
    List<String> uris = new ArrayList<>();
    Collection<List<?>> sans = c.getSubjectAlternativeNames();
    if (sans != null) {
      for (List<?> san : sans) {
        if (Integer.valueOf(6).equals(san.get(0))) {
          uris.add(String.valueOf(san.get(1)));
        }
      }
    }
    return uris;
  }
}
