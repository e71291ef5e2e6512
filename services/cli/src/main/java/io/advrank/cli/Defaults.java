package io.advrank.cli;

/** Where things are when the user does not say. */
final class Defaults {
  private Defaults() {}

  /** Debian's {@code dataset-fashion-mnist} package installs the IDX files here. */
  static final String DATA = "/usr/share/datasets/fashion-mnist";
}
