package io.advrank.cli;

import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.ModelSpec;
import java.nio.file.Path;
import java.util.stream.IntStream;
import picocli.CommandLine.Option;

/** {@code --data DIR}: where the images come from. */
public final class DataOptions {
  @Option(
      names = "--data",
      defaultValue = Defaults.DATA,
      description =
          "Directory of IDX files (MNIST layout) or of one image sub-folder per label"
              + " (default: ${DEFAULT-VALUE}).")
  Path dir;

  /** The split, cut to its first {@code limit} images when a limit is given. */
  public ImageDataset load(DatasetDirectory.Split split, Integer limit) throws DataException {
    return load(split, 0, limit);
  }

  /**
   * As {@link #load(DatasetDirectory.Split, int, Integer)}, photos brought to {@code model}'s
   * input.
   */
  public ImageDataset load(DatasetDirectory.Split split, int skip, Integer limit, ModelSpec model)
      throws DataException {
    return cut(
        DatasetDirectory.load(dir, split, model.channels(), model.height(), model.width()),
        skip,
        limit);
  }

  /**
   * The split without its first {@code skip} images (option {@code --skip}), then cut to the first
   * {@code limit} of the rest when a limit is given.
   */
  public ImageDataset load(DatasetDirectory.Split split, int skip, Integer limit)
      throws DataException {
    return cut(DatasetDirectory.load(dir, split), skip, limit);
  }

  private static ImageDataset cut(ImageDataset d, int skip, Integer limit) {
    if (skip != 0) {
      if (skip < 0 || skip >= d.size()) {
        throw new IllegalArgumentException(
            "--skip: must be in 0..%d (the split holds %d images), was %d"
                .formatted(d.size() - 1, d.size(), skip));
      }
      d = d.subset(IntStream.range(skip, d.size()).toArray(), d.name() + "[" + skip + ":]");
    }
    if (limit == null || limit >= d.size()) {
      return d;
    }
    if (limit < 1) {
      throw new IllegalArgumentException("limit: must be >= 1, was " + limit);
    }
    return d.head(limit);
  }

  /**
   * {@code test} as {@code spec}'s model reads it: the same images when their shape is already the
   * model's input (IDX data for a C2F1), else the test split read again and fitted to it (events of
   * another shape would be dead-lettered by the services, not served).
   */
  public ImageDataset atInputOf(ModelSpec spec, ImageDataset test) throws DataException {
    if (test.channels() == spec.channels()
        && test.height() == spec.height()
        && test.width() == spec.width()) {
      return test;
    }
    return load(DatasetDirectory.Split.TEST, 0, null, spec);
  }
}
