package dev.signet.pki;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.PrivateKey;

/**
 * Writes Signet's files, replaced atomically: private keys and other secrets owner-only (0600),
 * public files (certificates, JWKS) readable by all (0644).
 */
public final class KeyFiles {
  private KeyFiles() {}

  /** Writes {@code key} as PKCS#8 PEM to {@code file}, readable by the owner only. */
  public static void writePrivateKey(Path file, PrivateKey key) throws IOException {
    writeSecret(file, Pem.encode("PRIVATE KEY", key.getEncoded()));
  }

  /** Writes text to {@code file} with mode 0600 (where the file system has POSIX modes). */
  public static void writeSecret(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".tmp-", ".pem");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the directory's permissions apply
      }
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /**
   * Writes a public file (certificates, a JWKS) atomically with mode 0644, so that other users
   * (a sidecar, an operator's tools) can read it. A temporary file is created 0600; without the
   * explicit mode every public file would stay owner-only.
   */
  public static void writePublic(Path file, String text) throws IOException {
    Path dir = file.toAbsolutePath().getParent();
    Files.createDirectories(dir);
    Path tmp = Files.createTempFile(dir, ".tmp-", ".pem");
    try {
      try {
        Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-r--r--"));
      } catch (UnsupportedOperationException e) {
        // not a POSIX file system; the directory's permissions apply
      }
      Files.writeString(tmp, text, StandardCharsets.US_ASCII);
      Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }
}
