package io.advrank.deploy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Paths of the repository's deployment files, from this module's directory (deploy/validate). */
final class Repo {
  private Repo() {}

  /** The repository's root. */
  static final Path ROOT = Path.of(System.getProperty("advrank.root", "../..")).toAbsolutePath();

  static final Path DEPLOY = ROOT.resolve("deploy");
  static final Path K8S = DEPLOY.resolve("k8s");
  static final Path COMPOSE = DEPLOY.resolve("compose");
  static final Path SCHEMAS = DEPLOY.resolve("validate/schemas");
  static final Path SETTINGS = K8S.resolve("base/settings");
  static final Path DASHBOARDS = ROOT.resolve("grafana/dashboards");

  /** Every overlay directory under deploy/k8s/overlays, sorted. */
  static List<Path> overlays() throws IOException {
    try (Stream<Path> dirs = Files.list(K8S.resolve("overlays"))) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("kustomization.yaml")))
          .sorted()
          .toList();
    }
  }
}
