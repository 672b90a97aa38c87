package dev.signet.pki;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;

/** PEM encoding and decoding of DER blocks. */
public final class Pem {
  private static final String BEGIN = "-----BEGIN ";
  private static final String END = "-----END ";
  private static final String DASHES = "-----";
  private static final Base64.Encoder MIME =
      Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII));

  private Pem() {}

  /** One decoded PEM block. */
  public record Block(String type, byte[] der) {
    public Block {
      der = der.clone();
    }

    @Override
    public byte[] der() {
      return der.clone();
    }
  }

  /**
   * Every PEM block in the text, in order. Text outside blocks is ignored; inside a block only
   * base64 and whitespace are allowed, and the END line must name the BEGIN line's type.
   */
  public static List<Block> decodeAll(String text) {
    List<Block> out = new ArrayList<>(2);
    int at = 0;
    while (true) {
      int begin = text.indexOf(BEGIN, at);
      if (begin < 0) {
        return out;
      }
      int typeStart = begin + BEGIN.length();
      int typeEnd = text.indexOf(DASHES, typeStart);
      if (typeEnd < 0) {
        throw new IllegalArgumentException("a PEM BEGIN line is not closed by -----");
      }
      String type = text.substring(typeStart, typeEnd);
      checkType(type);
      int bodyStart = typeEnd + DASHES.length();
      String end = END + type + DASHES;
      int bodyEnd = text.indexOf(end, bodyStart);
      if (bodyEnd < 0) {
        throw new IllegalArgumentException("PEM block " + type + " has no END line");
      }
      out.add(new Block(type, decodeBody(type, text, bodyStart, bodyEnd)));
      at = bodyEnd + end.length();
    }
  }

  private static void checkType(String type) {
    if (type.isEmpty()) {
      throw new IllegalArgumentException("a PEM block has no type");
    }
    for (int i = 0; i < type.length(); i++) {
      char c = type.charAt(i);
      if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == ' ')) {
        throw new IllegalArgumentException("a PEM block type may hold only A-Z, 0-9 and spaces");
      }
    }
  }

  /** 1: a base64 character, 2: whitespace allowed between them, 0: anything else. */
  private static final byte[] BODY_CHARS = new byte[256];

  static {
    for (char c : "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=".toCharArray()) {
      BODY_CHARS[c] = 1;
    }
    for (char c : "\n\r \t".toCharArray()) {
      BODY_CHARS[c] = 2;
    }
  }

  /** The base64 between BEGIN and END, whitespace dropped; anything else is refused. */
  private static byte[] decodeBody(String type, String text, int from, int to) {
    // Characters outside Latin-1 become '?', which is refused like any other stray character.
    byte[] b64 = text.substring(from, to).getBytes(StandardCharsets.ISO_8859_1);
    int n = 0;
    for (byte b : b64) {
      int kind = BODY_CHARS[b & 0xFF];
      if (kind == 1) {
        b64[n++] = b;
      } else if (kind == 0) {
        throw new IllegalArgumentException("PEM block " + type + " is not valid base64");
      }
    }
    try {
      return Base64.getDecoder().decode(n == b64.length ? b64 : Arrays.copyOf(b64, n));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("PEM block " + type + " is not valid base64");
    }
  }

  /** A PEM block ending with a newline. */
  public static String encode(String type, byte[] der) {
    return "-----BEGIN " + type + "-----\n" + MIME.encodeToString(der) + "\n-----END " + type
        + "-----\n";
  }

  /** A certificate as PEM ending with a newline. */
  public static String encode(X509Certificate cert) {
    try {
      return encode("CERTIFICATE", cert.getEncoded());
    } catch (CertificateException e) {
      throw new IllegalStateException("cannot encode a parsed certificate", e);
    }
  }

  /** All CERTIFICATE blocks of the text, parsed. */
  public static List<X509Certificate> certificates(String text) throws CertificateException {
    CertificateFactory cf = CertificateFactory.getInstance("X.509");
    List<X509Certificate> out = new ArrayList<>();
    List<Block> blocks;
    try {
      blocks = decodeAll(text);
    } catch (IllegalArgumentException e) {
      throw new CertificateException(e.getMessage());
    }
    for (Block b : blocks) {
      if (b.type().equals("CERTIFICATE")) {
        out.add((X509Certificate) cf.generateCertificate(new ByteArrayInputStream(b.der())));
      }
    }
    return out;
  }
}
