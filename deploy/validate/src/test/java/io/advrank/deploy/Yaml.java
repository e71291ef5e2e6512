package io.advrank.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.constructor.AbstractConstruct;
import org.yaml.snakeyaml.constructor.SafeConstructor;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.Tag;

/**
 * Reads YAML documents into Jackson trees. SnakeYAML, not Jackson's YAML module: Compose files use
 * merge keys ({@code <<: *anchor}), which Jackson would keep as a literal key, and Compose's own
 * tags {@code !reset} and {@code !override}, read here as the plain value they tag. Duplicate keys
 * are refused, as Kubernetes' strict decoding does.
 */
final class Yaml {
  private static final ObjectMapper JSON = new ObjectMapper();

  private Yaml() {}

  /** Every non-empty document of a multi-document YAML text. */
  static List<JsonNode> documents(String text) {
    LoaderOptions options = new LoaderOptions();
    options.setAllowDuplicateKeys(false);
    var yaml = new org.yaml.snakeyaml.Yaml(new ComposeTags(options));
    List<JsonNode> docs = new ArrayList<>();
    for (Object doc : yaml.loadAll(text)) {
      if (doc != null) {
        docs.add(JSON.valueToTree(doc));
      }
    }
    return docs;
  }

  /** The one document of a YAML file. */
  static JsonNode file(Path path) throws IOException {
    List<JsonNode> docs = documents(Files.readString(path));
    if (docs.size() != 1) {
      throw new IllegalArgumentException(
          path + ": expected one YAML document, found " + docs.size());
    }
    return docs.get(0);
  }

  /** A JSON file, e.g. a committed schema. */
  static JsonNode json(Path path) throws IOException {
    return JSON.readTree(path.toFile());
  }

  /** Safe construction plus Compose's {@code !reset} and {@code !override} merge tags. */
  private static final class ComposeTags extends SafeConstructor {
    ComposeTags(LoaderOptions options) {
      super(options);
      AbstractConstruct plain =
          new AbstractConstruct() {
            @Override
            public Object construct(Node node) {
              node.setTag(plainTag(node));
              return getConstructor(node).construct(node);
            }
          };
      yamlConstructors.put(new Tag("!reset"), plain);
      yamlConstructors.put(new Tag("!override"), plain);
    }

    private static Tag plainTag(Node node) {
      if (node instanceof ScalarNode scalar) {
        return scalar.getValue().isEmpty() || scalar.getValue().equals("null") ? Tag.NULL : Tag.STR;
      }
      return switch (node.getNodeId()) {
        case sequence -> Tag.SEQ;
        case mapping -> Tag.MAP;
        default -> Tag.STR;
      };
    }
  }
}
