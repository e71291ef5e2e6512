package io.advrank.cli;

import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.ModelSpec;
import java.util.Locale;
import picocli.CommandLine.Option;

/**
 * {@code --split test|validation --validation N}: the images a command measures on, the test split
 * or the training images {@code train --validation N} held out, drawn with the same seed (the
 * command's {@code --seed}).
 */
final class SplitOptions {
  @Option(
      names = "--split",
      defaultValue = "test",
      paramLabel = "test|validation",
      description =
          "The test split, or the validation images that `train --validation N --seed S` held"
              + " out of the training split (give the same --validation N and --seed S, S being"
              + " train's --validation-seed where it was given); choose knobs on validation"
              + " figures and look at the test split once (default: ${DEFAULT-VALUE}).")
  String split;

  @Option(
      names = "--validation",
      paramLabel = "N",
      description = "With --split validation: the size N of the held-out set, as given to train.")
  Integer validation;

  /** Whether the validation hold-out was asked for; checks the two options agree. */
  boolean heldOut() {
    boolean held =
        switch (split.trim().toLowerCase(Locale.ROOT)) {
          case "test" -> false;
          case "validation" -> true;
          default ->
              throw new IllegalArgumentException(
                  "--split: unknown '" + split + "' (accepted: test, validation)");
        };
    if (!held && validation != null) {
      throw new IllegalArgumentException("--validation: needs --split validation");
    }
    if (held && validation == null) {
      throw new IllegalArgumentException(
          "--split validation: needs --validation N, the N given to train --validation");
    }
    return held;
  }

  /** The held-out images of {@code train --validation N --seed seed}, read for {@code spec}. */
  ImageDataset validationImages(DataOptions data, ModelSpec spec, long seed) throws DataException {
    ImageDataset train = data.load(DatasetDirectory.Split.TRAIN, 0, null, spec);
    return TrainCommand.validationSplit(train, validation, seed)[1];
  }

  /** "test", or "validation (seed S)". */
  String label(long seed) {
    return validation == null ? "test" : "validation (seed " + seed + ")";
  }
}
