package dev.signet.fuzz;

import java.util.Arrays;

/**
 * A fuzz input as the targets here read it: one byte choosing how the rest is used, then the
 * content, cut at {@link #MAX_CONTENT} so no input costs more than a real request could.
 */
record FuzzInput(int mode, byte[] bytes) {
  static final int MAX_CONTENT = 64 * 1024;

  static FuzzInput of(byte[] input) {
    if (input.length == 0) {
      return new FuzzInput(0, input);
    }
    return new FuzzInput(input[0] & 0xFF,
        Arrays.copyOfRange(input, 1, Math.min(input.length, 1 + MAX_CONTENT)));
  }
}
