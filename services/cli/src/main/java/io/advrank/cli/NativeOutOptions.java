package io.advrank.cli;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
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

  /**
   * Saves a model made from others (an average, an ensemble) to {@code --out}: a manifest with
   * {@code training} and {@code parentVersion}, and neither metrics nor detector thresholds, since
   * it is a new function ({@link #nextSteps} says how to get them).
   */
  ModelManifest saveMade(EmbeddingModel model, String parentVersion, Map<String, String> training)
      throws IOException {
    return model.save(
        out,
        new ModelManifest(
            ModelManifest.FORMAT_VERSION,
            null,
            parentVersion,
            model.spec(),
            0,
            null,
            null,
            null,
            Instant.now().toString(),
            training,
            Map.of(),
            null),
        float32);
  }

  /** The line that tells how to measure and calibrate a model {@link #saveMade} wrote. */
  String nextSteps() {
    return String.format(
        Locale.ROOT, "  next: advrank eval --model %s; advrank models calibrate %s%n", out, out);
  }

  /** Refuses an {@code --out} that holds a model, before any work. */
  void requireFree() {
    if (Files.exists(out.resolve(ModelManifest.FILE_NAME))) {
      throw new IllegalArgumentException(
          "--out: " + out + " holds a model already; choose another directory");
    }
  }
}
