package io.advrank.cli;

import io.advrank.core.model.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/**
 * {@code --out OUT [--float32]}: where a command that makes a native model writes it, and in which
 * precision; never over a model already there.
 */
final class NativeOutOptions {
  @Option(names = "--out", required = true, paramLabel = "OUT", description = "Directory to write.")
  Path out;

  @Option(
      names = "--float32",
      description = "Store float32 weights (default: float16, half the size, R@1 unchanged).")
  boolean float32;

  /** Refuses an {@code --out} that holds a model, before any work. */
  void requireFree() {
    if (Files.exists(out.resolve(ModelManifest.FILE_NAME))) {
      throw new IllegalArgumentException(
          "--out: " + out + " holds a model already; choose another directory");
    }
  }
}
