package dev.signet.fuzz;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.JWSObject;
import com.nimbusds.jose.Payload;
import com.nimbusds.jose.crypto.ECDSASigner;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.gen.ECKeyGenerator;
import com.nimbusds.jose.util.Base64URL;
import dev.signet.client.CsrBuilder;
import dev.signet.pki.Pem;
import dev.signet.testing.Csrs;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.text.ParseException;
import org.bouncycastle.asn1.ASN1Encodable;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.Extensions;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequestBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

/**
 * Writes the seed corpora of the fuzz targets here (one file per input, named for what it is)
 * under the directory given, normally {@code src/test/resources}. Re-run after changing an input
 * format. The CSRs of modes 0 and 1 get new keys on every run; the request infos of mode 2 carry
 * the fixed fuzzing key, whose signature the target adds.
 */
public final class Seeds {
  private static final String ID = "spiffe://cluster.local/ns/shop/sa/cart";
  private static final String CLAIMS = "{\"iss\":\"https://kubernetes.default.svc.cluster.local\","
      + "\"sub\":\"system:serviceaccount:shop:cart\",\"aud\":[\"istio-ca\"],\"exp\":4102444800,"
      + "\"iat\":1700000000,\"nbf\":1700000000,\"kubernetes.io\":{\"namespace\":\"shop\","
      + "\"serviceaccount\":{\"name\":\"cart\",\"uid\":\"0d3c\"},\"pod\":{\"name\":\"cart-1\","
      + "\"uid\":\"9a1f\"}}}";

  private Seeds() {}

  public static void main(String[] args) throws IOException {
    Path root = Path.of(args.length > 0 ? args[0] : "src/test/resources").resolve("dev/signet/fuzz");
    csrs(root.resolve("CsrParserFuzzTestInputs/parsesOrRefusesAsInvalidRequest"));
    pems(root.resolve("PemFuzzTestInputs/decodesOrRefusesAndRoundTrips"));
    tokens(root.resolve("TokenFuzzTestInputs/refusesAnyBadTokenAsUnauthenticatedWithoutQuotingIt"));
  }

  private static void csrs(Path dir) throws IOException {
    KeyPair ec = CsrBuilder.ecP256();
    KeyPair rsa = CsrBuilder.rsa2048();
    String agentEc = CsrBuilder.istioAgent(ec, ID);
    // Mode 0: the DER alone; mode 1: the PEM text.
    write(dir, "der-istio-agent-ec", 0, der(agentEc));
    write(dir, "der-istio-agent-rsa", 0, der(CsrBuilder.istioAgent(rsa, ID)));
    write(dir, "der-ztunnel-ec", 0, der(CsrBuilder.ztunnel(ec, ID)));
    write(dir, "der-ec-p384", 0, der(Csrs.forUri(ID).ecCurve("secp384r1").pem()));
    write(dir, "der-subject-o", 0, der(Csrs.forUri(ID).subject("O=shop").pem()));
    write(dir, "der-subject-cn", 0, der(Csrs.forUri(ID).subject("CN=cart").pem()));
    write(dir, "der-dns-san", 0, der(Csrs.forUri(ID).alsoDns("cart.shop").pem()));
    write(dir, "der-two-uris", 0, der(Csrs.forUri(ID).alsoUri(ID).pem()));
    write(dir, "der-basic-constraints", 0, der(Csrs.forUri(ID).askingToBeACa().pem()));
    write(dir, "der-no-extensions", 0, der(Csrs.forUri(ID).withoutExtensions().pem()));
    write(dir, "der-sha384", 0, der(Csrs.forUri(ID).signedWith("SHA384withECDSA").pem()));
    write(dir, "der-tampered", 0, der(Csrs.forUri(ID).tamperedSignature().pem()));
    write(dir, "pem-istio-agent-ec", 1, utf8(agentEc));
    write(dir, "pem-crlf-indented", 1, utf8("  " + agentEc.replace("\n", "\r\n  ")));
    write(dir, "pem-two-blocks", 1, utf8(agentEc + agentEc));
    // Mode 2: the request info alone, signed by the target with CsrParserFuzzTest.KEY.
    GeneralName uri = new GeneralName(GeneralName.uniformResourceIdentifier, ID);
    X500Name o = new X500Name("O=");
    write(dir, "info-istio-agent", 2, requestInfo(o, san(true, uri)));
    write(dir, "info-ztunnel", 2, requestInfo(new X500Name(new RDN[0]), san(true, uri)));
    write(dir, "info-non-critical-san", 2, requestInfo(o, san(false, uri)));
    write(dir, "info-key-usages", 2, requestInfo(o, san(true, uri),
        extension(Extension.keyUsage, new KeyUsage(KeyUsage.digitalSignature)),
        extension(Extension.extendedKeyUsage, new ExtendedKeyUsage(KeyPurposeId.id_kp_clientAuth))));
    write(dir, "info-subject-cn", 2, requestInfo(new X500Name("CN=cart,O=shop"), san(true, uri)));
    write(dir, "info-dns-san", 2, requestInfo(o,
        san(true, uri, new GeneralName(GeneralName.dNSName, "cart.shop"))));
    write(dir, "info-two-uris", 2, requestInfo(o, san(true, uri, uri)));
    write(dir, "info-basic-constraints", 2, requestInfo(o, san(true, uri),
        extension(Extension.basicConstraints, new BasicConstraints(true))));
    write(dir, "info-no-extensions", 2, requestInfo(o));
  }

  /** The DER CertificationRequestInfo of a request with the fuzzing key. */
  private static byte[] requestInfo(X500Name subject, Extension... extensions) throws IOException {
    PKCS10CertificationRequestBuilder b =
        new JcaPKCS10CertificationRequestBuilder(subject, CsrParserFuzzTest.KEY.getPublic());
    if (extensions.length > 0) {
      b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, new Extensions(extensions));
    }
    try {
      return b.build(new JcaContentSignerBuilder("SHA256withECDSA")
              .build(CsrParserFuzzTest.KEY.getPrivate()))
          .toASN1Structure().getCertificationRequestInfo().getEncoded(ASN1Encoding.DER);
    } catch (OperatorCreationException e) {
      throw new IllegalStateException("cannot sign a seed request", e);
    }
  }

  private static Extension san(boolean critical, GeneralName... names) throws IOException {
    return new Extension(Extension.subjectAlternativeName, critical,
        new GeneralNames(names).getEncoded(ASN1Encoding.DER));
  }

  private static Extension extension(ASN1ObjectIdentifier oid, ASN1Encodable value)
      throws IOException {
    return new Extension(oid, false, value.toASN1Primitive().getEncoded(ASN1Encoding.DER));
  }

  private static void pems(Path dir) throws IOException {
    write(dir, "one-block", 0, utf8(Pem.encode("CERTIFICATE", new byte[] {1, 2, 3, 4, 5})));
    write(dir, "two-blocks-with-junk", 0, utf8("junk\n" + Pem.encode("CERTIFICATE", new byte[40])
        + "between\n" + Pem.encode("PUBLIC KEY", new byte[] {(byte) 0xFF, 0x7F})));
    write(dir, "crlf-padding", 0,
        utf8(Pem.encode("EC PRIVATE KEY", new byte[7]).replace("\n", "\r\n\t")));
    write(dir, "no-end", 0, utf8("-----BEGIN CERTIFICATE-----\nAAAA\n"));
    write(dir, "other-end", 0, utf8("-----BEGIN A-----\nAAAA\n-----END B-----\n"));
    write(dir, "empty-body", 0, utf8("-----BEGIN X-----\n-----END X-----\n"));
  }

  private static void tokens(Path dir) throws IOException {
    // Mode 0: token text. The first is well formed but signed by no key in the JWKS.
    write(dir, "raw-foreign-key", 0, utf8(foreignToken()));
    write(dir, "raw-alg-none", 0, utf8(b64("{\"alg\":\"none\"}") + "." + b64(CLAIMS) + "."));
    write(dir, "raw-hs256", 0, utf8(b64("{\"alg\":\"HS256\",\"kid\":\"fuzz-ec\"}") + "."
        + b64(CLAIMS) + ".c2lnbmF0dXJl"));
    write(dir, "raw-jwe-shape", 0, utf8(b64("{\"alg\":\"RSA-OAEP\",\"enc\":\"A128GCM\"}")
        + ".a.b.c.d"));
    write(dir, "raw-not-a-jwt", 0, utf8("Basic dXNlcjpwYXNzd29yZA=="));
    // Mode 1: header and payload, signed by the target with the JWKS's EC key.
    write(dir, "signed-valid", 1, utf8(CLAIMS));
    write(dir, "signed-typ-jwt", 1, utf8("{\"alg\":\"ES256\",\"kid\":\"fuzz-ec\",\"typ\":\"JWT\"}"
        + "\0" + CLAIMS));
    write(dir, "signed-rs256-header", 1, utf8("{\"alg\":\"RS256\",\"kid\":\"fuzz-rsa\"}\0"
        + CLAIMS));
    write(dir, "signed-crit", 1, utf8("{\"alg\":\"ES256\",\"crit\":[\"exp\"],\"exp\":1}\0"
        + CLAIMS));
    write(dir, "signed-no-exp", 1, utf8(CLAIMS.replace("\"exp\":4102444800,", "")));
    write(dir, "signed-expired", 1, utf8(CLAIMS.replace("4102444800", "1700000100")));
    write(dir, "signed-other-audience", 1, utf8(CLAIMS.replace("istio-ca", "kubernetes")));
    write(dir, "signed-other-issuer", 1, utf8(CLAIMS.replace("https://kubernetes", "https://k")));
    write(dir, "signed-not-yet", 1, utf8(CLAIMS.replace("\"nbf\":1700000000", "\"nbf\":4102444000")));
    write(dir, "signed-user-subject", 1, utf8(CLAIMS.replace("system:serviceaccount:shop:cart",
        "system:admin")));
    write(dir, "signed-claims-disagree", 1, utf8(CLAIMS.replace("\"namespace\":\"shop\"",
        "\"namespace\":\"bank\"")));
    write(dir, "signed-bad-namespace", 1, utf8(CLAIMS.replace("shop", "Shop_1")));
    write(dir, "signed-not-json", 1, utf8("{\"sub\":"));
  }

  /** A token of the right shape and claims, signed by a key that is not in the JWKS. */
  private static String foreignToken() {
    try {
      ECKey key = new ECKeyGenerator(Curve.P_256).keyID(TokenFuzzTest.EC_KID).generate();
      JWSObject jws = new JWSObject(JWSHeader.parse(TokenFuzzTest.DEFAULT_HEADER),
          new Payload(CLAIMS));
      jws.sign(new ECDSASigner(key));
      return jws.serialize();
    } catch (JOSEException | ParseException e) {
      throw new IllegalStateException("cannot sign a seed token", e);
    }
  }

  private static byte[] der(String pem) {
    return Pem.decodeAll(pem).get(0).der();
  }

  private static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  private static String b64(String s) {
    return Base64URL.encode(utf8(s)).toString();
  }

  private static void write(Path dir, String name, int mode, byte[] content) throws IOException {
    Files.createDirectories(dir);
    byte[] input = new byte[content.length + 1];
    input[0] = (byte) mode;
    System.arraycopy(content, 0, input, 1, content.length);
    Files.write(dir.resolve(name), input);
  }
}
