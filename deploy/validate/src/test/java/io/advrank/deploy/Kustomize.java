package io.advrank.deploy;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

/**
 * Renders a kustomization with {@code kubectl kustomize} (kustomize v5 is built into kubectl
 * 1.27+). Not on Maven Central: tests that need it are skipped where kubectl is absent
 * (docs/deploy.md).
 */
final class Kustomize {
  private Kustomize() {}

  private static Map<Path, List<JsonNode>> overlays;

  /** Every overlay under deploy/k8s/overlays, rendered once per test run. */
  static synchronized Map<Path, List<JsonNode>> overlays()
      throws IOException, InterruptedException {
    if (overlays == null) {
      Map<Path, List<JsonNode>> all = new TreeMap<>();
      for (Path overlay : Repo.overlays()) {
        all.put(overlay, render(overlay));
      }
      overlays = all;
    }
    return overlays;
  }

  /** Whether a kubectl is on the PATH. */
  static boolean available() {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (!dir.isEmpty() && Files.isExecutable(Path.of(dir, "kubectl"))) {
        return true;
      }
    }
    return false;
  }

  /** The rendered objects of one kustomization directory. */
  static List<JsonNode> render(Path dir) throws IOException, InterruptedException {
    Path err = Files.createTempFile("kustomize", ".err");
    try {
      Process p =
          new ProcessBuilder("kubectl", "kustomize", dir.toString())
              .redirectError(err.toFile())
              .start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      if (!p.waitFor(60, TimeUnit.SECONDS)) {
        p.destroyForcibly();
        throw new IllegalStateException("kubectl kustomize " + dir + " did not finish in 60 s");
      }
      if (p.exitValue() != 0) {
        throw new IllegalStateException(
            "kubectl kustomize " + dir + " failed: " + Files.readString(err).strip());
      }
      return Yaml.documents(out);
    } finally {
      Files.deleteIfExists(err);
    }
  }
}
