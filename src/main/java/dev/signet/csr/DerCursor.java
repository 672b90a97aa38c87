package dev.signet.csr;

import java.util.Arrays;

/**
 * A strict DER reader over one byte array: it walks tag-length-value elements in place, without
 * copying or building an object tree. Only definite, minimal lengths and single-byte tags are
 * accepted; anything else raises {@link Malformed}, which the CSR parser turns into a refusal.
 *
 * <p>A cursor reads the elements between {@code pos} and {@code limit} one after another. After
 * {@link #next}, {@link #tag}, {@link #start} (first content byte) and {@link #end} (one past the
 * last) describe the element just read, and {@link #headerStart} where its tag byte is.
 */
final class DerCursor {
  static final int INTEGER = 0x02;
  static final int BIT_STRING = 0x03;
  static final int OCTET_STRING = 0x04;
  static final int NULL = 0x05;
  static final int OID = 0x06;
  static final int UTF8_STRING = 0x0C;
  static final int PRINTABLE_STRING = 0x13;
  static final int BOOLEAN = 0x01;
  static final int SEQUENCE = 0x30;
  static final int SET = 0x31;

  /** Thrown for any encoding that is not strict DER. Carries no stack trace: it is control flow. */
  static final class Malformed extends RuntimeException {
    private static final long serialVersionUID = 1L;

    Malformed() {
      super("not DER", null, false, false);
    }
  }

  private static final Malformed MALFORMED = new Malformed();

  /** The one {@link Malformed} instance (it has no stack trace or message to differ in). */
  static Malformed malformed() {
    return MALFORMED;
  }

  private final byte[] der;
  private int pos;
  private final int limit;
  int tag;
  int headerStart;
  int start;
  int end;

  DerCursor(byte[] der, int from, int to) {
    this.der = der;
    this.pos = from;
    this.limit = to;
  }

  /** A cursor over the content of the element this one just read. */
  DerCursor inside() {
    return new DerCursor(der, start, end);
  }

  byte[] bytes() {
    return der;
  }

  boolean hasNext() {
    return pos < limit;
  }

  /** Reads the next element, which must carry {@code expectedTag}. */
  DerCursor next(int expectedTag) {
    next();
    if (tag != expectedTag) {
      throw MALFORMED;
    }
    return this;
  }

  /** Reads the next element, whatever its tag. */
  DerCursor next() {
    if (pos >= limit) {
      throw MALFORMED;
    }
    headerStart = pos;
    int t = der[pos++] & 0xFF;
    if ((t & 0x1F) == 0x1F || pos >= limit) {
      throw MALFORMED; // multi-byte tags never occur in a CSR
    }
    int first = der[pos++] & 0xFF;
    int length;
    if (first < 0x80) {
      length = first;
    } else {
      int octets = first & 0x7F;
      if (octets == 0 || octets > 3 || limit - pos < octets) {
        throw MALFORMED; // indefinite, or longer than any CSR we take
      }
      length = 0;
      for (int i = 0; i < octets; i++) {
        length = (length << 8) | (der[pos++] & 0xFF);
      }
      if (length < 0x80 || length < (1 << (8 * (octets - 1)))) {
        throw MALFORMED; // not the minimal length encoding
      }
    }
    if (length > limit - pos) {
      throw MALFORMED;
    }
    tag = t;
    start = pos;
    end = pos + length;
    pos = end;
    return this;
  }

  /** Fails unless every element up to the limit was read. */
  void expectEnd() {
    if (pos != limit) {
      throw MALFORMED;
    }
  }

  int length() {
    return end - start;
  }

  /** Whether the content just read equals {@code content}. */
  boolean contentEquals(byte[] content) {
    return Arrays.equals(der, start, end, content, 0, content.length);
  }

  /** The whole element just read, tag and length included. */
  byte[] copyElement() {
    return Arrays.copyOfRange(der, headerStart, end);
  }

  /** A BOOLEAN's value; DER allows only 0x00 and 0xFF. */
  boolean booleanValue() {
    if (tag != BOOLEAN || length() != 1) {
      throw MALFORMED;
    }
    int v = der[start] & 0xFF;
    if (v != 0 && v != 0xFF) {
      throw MALFORMED;
    }
    return v != 0;
  }

  /** Fails unless the INTEGER just read is a positive, minimally encoded number. */
  void checkPositiveInteger() {
    if (tag != INTEGER || length() == 0 || der[start] < 0) {
      throw MALFORMED;
    }
    if (length() > 1 && der[start] == 0 && der[start + 1] >= 0) {
      throw MALFORMED;
    }
  }

  /** Bit length of the positive INTEGER just read. */
  int positiveIntegerBits() {
    checkPositiveInteger();
    int i = start;
    while (i < end - 1 && der[i] == 0) {
      i++;
    }
    return (end - i - 1) * 8 + (32 - Integer.numberOfLeadingZeros(der[i] & 0xFF));
  }

  /** Start of a BIT STRING's bits; fails unless the string has no unused bits. */
  int bitStringBytesStart() {
    if (tag != BIT_STRING || length() < 1 || der[start] != 0) {
      throw MALFORMED;
    }
    return start + 1;
  }
}
