package dev.signet.issue;

import dev.signet.pki.Der;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The names a certificate Signet issues is for: URIs (SPIFFE IDs) and DNS names. */
public record SubjectAltNames(List<String> uris, List<String> dnsNames) {
  public SubjectAltNames {
    uris = List.copyOf(uris);
    dnsNames = List.copyOf(dnsNames);
    if (uris.isEmpty() && dnsNames.isEmpty()) {
      throw new IllegalArgumentException("a certificate needs at least one name");
    }
  }

  /** One URI, the shape of every workload certificate. */
  public static SubjectAltNames uri(String uri) {
    return new SubjectAltNames(List.of(uri), List.of());
  }

  /** The DER GeneralNames: uniformResourceIdentifier [6] and dNSName [2], IA5String. */
  byte[] encode() {
    byte[][] names = new byte[uris.size() + dnsNames.size()][];
    int i = 0;
    for (String u : uris) {
      names[i++] = Der.tlv(0x86, u.getBytes(StandardCharsets.US_ASCII));
    }
    for (String d : dnsNames) {
      names[i++] = Der.tlv(0x82, d.getBytes(StandardCharsets.US_ASCII));
    }
    return Der.sequence(names);
  }
}
