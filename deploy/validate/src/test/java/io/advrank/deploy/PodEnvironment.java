package io.advrank.deploy;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;

/**
 * The ADVRANK_* variables a workload's container would see, with stand-ins for what only the
 * cluster provides: the pod's name for a {@code fieldRef} or a ConfigMap's key, a token for a
 * Secret's key, and for a path inside a mounted Secret (the Kafka CA truststore) a real empty file,
 * after checking that the mount and the Secret's item exist.
 */
final class PodEnvironment {
  private static final Path SECRET_FILES = secretFiles();

  private PodEnvironment() {}

  static Map<String, String> of(JsonNode workload, String podName) {
    JsonNode pod = workload.at("/spec/template/spec");
    JsonNode container = pod.at("/containers/0");
    Map<String, String> env = new TreeMap<>();
    for (JsonNode e : container.path("env")) {
      String name = e.path("name").asText();
      if (!name.startsWith("ADVRANK_")) {
        continue;
      }
      String value;
      if (!e.at("/valueFrom/secretKeyRef").isMissingNode()) {
        value = "token-from-a-secret-0000";
      } else {
        value = e.path("value").asText(podName); // fieldRef, ConfigMap key
      }
      env.put(name, inSecretVolume(pod, container, value).orElse(value));
    }
    return env;
  }

  /** A file standing in for {@code path} if it lies in a Secret volume that holds it. */
  private static java.util.Optional<String> inSecretVolume(
      JsonNode pod, JsonNode container, String path) {
    for (JsonNode m : container.path("volumeMounts")) {
      String dir = m.path("mountPath").asText() + "/";
      if (!path.startsWith(dir)) {
        continue;
      }
      for (JsonNode v : pod.path("volumes")) {
        if (v.path("name").asText().equals(m.path("name").asText())
            && !v.path("secret").isMissingNode()) {
          String item = path.substring(dir.length());
          boolean listed = false;
          for (JsonNode i : v.at("/secret/items")) {
            listed |= i.path("path").asText().equals(item);
          }
          assertTrue(listed, path + ": Secret volume " + v + " has no item " + item);
          try {
            Path f = SECRET_FILES.resolve(item.replace('/', '_'));
            if (!Files.exists(f)) {
              Files.createFile(f);
            }
            return java.util.Optional.of(f.toString());
          } catch (IOException e) {
            throw new UncheckedIOException(e);
          }
        }
      }
    }
    return java.util.Optional.empty();
  }

  private static Path secretFiles() {
    try {
      Path dir = Files.createTempDirectory("advrank-secret-volume");
      dir.toFile().deleteOnExit();
      return dir;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
