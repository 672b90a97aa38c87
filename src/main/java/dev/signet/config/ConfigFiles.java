package dev.signet.config;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/** Reads a {@code --config} file, saying in one line why it cannot be read. */
final class ConfigFiles {
  private ConfigFiles() {}

  static String read(Path file) {
    String where = "config file " + file + " (from --config)";
    if (Files.isDirectory(file)) {
      throw new ConfigException(where + " is a directory; give the path of a YAML file");
    }
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (NoSuchFileException e) {
      Path parent = file.toAbsolutePath().getParent();
      throw new ConfigException(where + " does not exist"
          + (parent != null && !Files.isDirectory(parent) ? " (nor does its directory "
              + parent + ")" : "") + "; check the path");
    } catch (AccessDeniedException e) {
      throw new ConfigException(where + " cannot be read by this user (permission denied); "
          + "make it readable, e.g. chmod a+r " + file);
    } catch (CharacterCodingException e) {
      throw new ConfigException(where + " is not UTF-8 text; save it as UTF-8");
    } catch (IOException e) {
      throw new ConfigException(where + " cannot be read: " + e.getClass().getSimpleName()
          + (e.getMessage() == null ? "" : " " + e.getMessage()));
    }
  }
}
