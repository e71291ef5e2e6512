package io.advrank.cli;

import java.nio.file.Path;

/** Where things are when the user does not say: the dataset and the shipped model. */
final class Defaults {
  private Defaults() {}

  static final String DATA = "/usr/share/datasets/fashion-mnist";

  /** The repository root, set by the {@code ./advrank} launcher; else the working directory. */
  static Path home() {
    String home = System.getenv("ADVRANK_HOME");
    return Path.of(home == null || home.isBlank() ? "." : home);
  }

  /** The shipped Fashion-MNIST C2F1 model. */
  static Path model() {
    return home().resolve("models/fmnist-c2f1");
  }
}
