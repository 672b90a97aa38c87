package dev.signet.dev;

import static org.assertj.core.api.Assertions.assertThat;

import dev.signet.ca.CaFiles;
import dev.signet.pki.Pem;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x509.AuthorityKeyIdentifier;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.SubjectKeyIdentifier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DevCaTest {
  /** RFC 5280 4.2.1.1: each AKI is the issuer's key identifier, nothing else (a root: its own). */
  @Test
  void signingCertificateAuthorityKeyIdentifierIsKeyIdOnly(@TempDir Path dir) throws Exception {
    DevCa.ensure(dir);
    X509Certificate ca = Pem.certificates(Files.readString(dir.resolve(CaFiles.CA_CERT))).get(0);
    X509Certificate root = Pem.certificates(Files.readString(dir.resolve(CaFiles.ROOT_CERT)))
        .get(0);
    AuthorityKeyIdentifier aki = AuthorityKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        ca.getExtensionValue(Extension.authorityKeyIdentifier.getId())).getOctets());
    byte[] rootSki = SubjectKeyIdentifier.getInstance(ASN1OctetString.getInstance(
        root.getExtensionValue(Extension.subjectKeyIdentifier.getId())).getOctets())
        .getKeyIdentifier();
    assertThat(aki.getKeyIdentifierObject().getOctets()).isEqualTo(rootSki);
    assertThat(aki.getAuthorityCertIssuer()).isNull();
    assertThat(aki.getAuthorityCertSerialNumber()).isNull();
    ca.verify(root.getPublicKey());
    AuthorityKeyIdentifier rootAki = AuthorityKeyIdentifier.getInstance(ASN1OctetString
        .getInstance(root.getExtensionValue(Extension.authorityKeyIdentifier.getId()))
        .getOctets());
    assertThat(rootAki.getKeyIdentifierObject().getOctets()).isEqualTo(rootSki);
    assertThat(rootAki.getAuthorityCertIssuer()).isNull();
  }
}
