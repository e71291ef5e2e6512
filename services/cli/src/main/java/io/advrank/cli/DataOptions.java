package io.advrank.cli;

import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --data DIR}: where the images come from. */
final class DataOptions {
  @Option(
      names = "--data",
      defaultValue = Defaults.DATA,
      description =
          "Directory of IDX files (MNIST layout) or of one image sub-folder per label"
              + " (default: ${DEFAULT-VALUE}).")
  Path dir;

  /** The split, cut to its first {@code limit} images when a limit is given. */
  ImageDataset load(DatasetDirectory.Split split, Integer limit) throws DataException {
    ImageDataset d = DatasetDirectory.load(dir, split);
    if (limit == null || limit >= d.size()) {
      return d;
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit: must be >= 1, was " + limit);
    }
    return d.head(limit);
  }
}
