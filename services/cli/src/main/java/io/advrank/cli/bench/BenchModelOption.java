package io.advrank.cli.bench;

import io.advrank.cli.DeviceOption;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelSpec;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code --model DIR} and {@code --device} of the benchmarks: a model directory (e.g. an imported
 * TorchScript model), or by default a C2F1 with random weights, whose speed is that of any C2F1.
 */
final class BenchModelOption {
  @Option(
      names = "--model",
      paramLabel = "DIR",
      description =
          "A model directory, e.g. an imported TorchScript model (default: a C2F1 with random"
              + " weights, as bench/torch_ca_plus.py).")
  Path dir;

  @Mixin DeviceOption device;

  EmbeddingModel open() throws ModelException {
    return dir == null
        ? EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 0, device.resolve())
        : EmbeddingModel.load(dir, device.resolve());
  }

  /** Whether the model is the C2F1, whose FLOP per image are known (docs/method.md §7). */
  static boolean isC2f1(EmbeddingModel model) {
    return ModelSpec.C2F1.equals(model.spec().architecture());
  }

  /** The model's name for the report. */
  String describe(EmbeddingModel model) {
    return dir == null ? "c2f1 (random weights)" : model.version();
  }
}
