package io.advrank.cli;

import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import java.nio.file.Path;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code --model DIR}: which model directory to use. */
public final class ModelOptions {
  @Option(
      names = "--model",
      defaultValue = "${env:ADVRANK_HOME:-.}/models/fmnist-c2f1",
      description = "Model directory (manifest.json + weights) (default: ${DEFAULT-VALUE}).")
  public Path dir;

  @Mixin DeviceOption device;

  /** The model's spec, from its manifest alone (to read photos at its input size first). */
  public ModelSpec spec() throws ModelException {
    return ModelManifest.read(dir).spec();
  }

  /** Opens the model and checks that it takes images shaped like {@code data}'s. */
  public EmbeddingModel open(ImageDataset data) throws ModelException {
    EmbeddingModel model = EmbeddingModel.load(dir, device.resolve());
    try {
      model.requireInputShape(data);
    } catch (IllegalArgumentException e) {
      model.close();
      throw new ModelException(dir + ": " + e.getMessage());
    }
    return model;
  }
}
