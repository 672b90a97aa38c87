package dev.signet.auth;

import com.nimbusds.jose.KeySourceException;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSelector;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.source.JWKSource;
import com.nimbusds.jose.proc.SecurityContext;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.text.ParseException;
import java.util.List;

/** A JWKS read from a file and re-read when the file's modification time changes. */
final class JwksFileSource implements JWKSource<SecurityContext> {
  private final Path file;
  private volatile Loaded loaded;

  private record Loaded(FileTime modified, JWKSet set) {}

  JwksFileSource(Path file) throws IOException {
    this.file = file;
    this.loaded = read();
  }

  @Override
  public List<JWK> get(JWKSelector selector, SecurityContext context) throws KeySourceException {
    Loaded l = loaded;
    try {
      FileTime now = Files.getLastModifiedTime(file);
      if (!now.equals(l.modified())) {
        l = read();
        loaded = l;
      }
    } catch (IOException e) {
      // keep verifying with the last keys that were read
    }
    return selector.select(l.set());
  }

  private Loaded read() throws IOException {
    FileTime modified = Files.getLastModifiedTime(file);
    try {
      return new Loaded(modified, JWKSet.parse(Files.readString(file, StandardCharsets.UTF_8)));
    } catch (ParseException e) {
      throw new IOException(file + " is not a JWKS: " + e.getMessage(), e);
    }
  }
}
