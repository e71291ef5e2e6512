package io.advrank.cli;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import java.nio.file.Path;
import java.util.Map;

/** Model directories for the {@code models} subcommands' tests. */
final class TestModels {
  private TestModels() {}

  /**
   * A fresh native model of {@code spec} (weights of {@code seed}) saved to {@code dir} with
   * float32 weights and a manifest whose training command names the seed; returns {@code dir} as a
   * string.
   */
  static String saved(Path dir, ModelSpec spec, long seed) throws Exception {
    try (EmbeddingModel m = EmbeddingModel.create(spec, seed, Device.cpu())) {
      m.save(
          dir,
          new ModelManifest(
              ModelManifest.FORMAT_VERSION,
              null,
              null,
              null,
              0,
              null,
              null,
              null,
              "2026-01-01T00:00:00Z",
              Map.of("command", "advrank train --seed " + seed),
              Map.of("r_at_1", 0.5),
              null),
          true);
    }
    return dir.toString();
  }
}
