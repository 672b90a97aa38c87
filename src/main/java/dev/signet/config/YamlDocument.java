package dev.signet.config;

import java.io.StringReader;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * A YAML configuration document as flat dotted keys ({@code server.grpc-port}), each with the
 * line it is written on. A syntax error or a key written twice in one mapping is refused with
 * one line naming the file, the line and the fix; SnakeYAML's own exception never leaves here.
 */
final class YamlDocument {
  private final Map<String, Object> values;
  private final Map<String, Integer> lines;

  private YamlDocument(Map<String, Object> values, Map<String, Integer> lines) {
    this.values = values;
    this.lines = lines;
  }

  /** Flat keys to their values, in the order written. */
  Map<String, Object> values() {
    return values;
  }

  /** The 1-based line a flat key is written on, 0 when unknown. */
  int line(String key) {
    return lines.getOrDefault(key, 0);
  }

  /**
   * Parses {@code text}; {@code name} (a path, or "embedded defaults") starts every message.
   *
   * @throws ConfigException for a syntax error, a duplicate key or a top level that is not a
   *     mapping
   */
  static YamlDocument parse(String text, String name) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    Yaml yaml = new Yaml(new SafeConstructor(options));
    Node root;
    Object doc;
    try {
      root = yaml.compose(new StringReader(text));
      Map<String, Integer> lines = new HashMap<>();
      if (root != null) {
        walk(root, "", name, lines);
      }
      doc = yaml.load(text);
      if (doc == null) {
        return new YamlDocument(Map.of(), Map.of());
      }
      if (!(doc instanceof Map<?, ?> map)) {
        throw new ConfigException(name + ":" + line(root.getStartMark()) + ": the top level must "
            + "be a mapping of keys (like 'server:'), not a " + kind(root));
      }
      Map<String, Object> flat = new LinkedHashMap<>();
      flatten("", map, flat);
      return new YamlDocument(flat, lines);
    } catch (MarkedYAMLException e) {
      Mark at = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
      throw new ConfigException(name + (at == null ? "" : ":" + line(at) + ":"
          + (at.getColumn() + 1)) + ": not valid YAML: " + e.getProblem()
          + "; correct the file there (indent with spaces, 'key: value')");
    } catch (YAMLException e) {
      throw new ConfigException(name + ": not valid YAML (" + e.getClass().getSimpleName()
          + "); correct the file");
    }
  }

  /** Records each key's line and refuses a key written twice in one mapping. */
  private static void walk(Node node, String prefix, String name, Map<String, Integer> lines) {
    if (node instanceof MappingNode m) {
      Map<String, Integer> seen = new HashMap<>();
      for (NodeTuple t : m.getValue()) {
        String k = t.getKeyNode() instanceof ScalarNode s ? s.getValue() : "?";
        int line = line(t.getKeyNode().getStartMark());
        Integer first = seen.putIfAbsent(k, line);
        if (first != null) {
          throw new ConfigException(name + ":" + line + ": key '" + prefix + k + "' is written "
              + "twice (first at line " + first + "); YAML would keep only one of them, so "
              + "merge the two into one block");
        }
        lines.putIfAbsent(prefix + k, line);
        walk(t.getValueNode(), prefix + k + ".", name, lines);
      }
    } else if (node instanceof SequenceNode s) {
      for (Node item : s.getValue()) {
        walk(item, prefix, name, new HashMap<>());
      }
    }
  }

  private static void flatten(String prefix, Map<?, ?> tree, Map<String, Object> out) {
    tree.forEach((k, v) -> {
      String key = prefix + k;
      if (v instanceof Map<?, ?> m) {
        flatten(key + ".", m, out);
      } else {
        out.put(key, v);
      }
    });
  }

  private static int line(Mark m) {
    return m.getLine() + 1;
  }

  private static String kind(Node n) {
    return n instanceof SequenceNode ? "list" : "single value";
  }
}
