package io.advrank.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Builds the committed test fixture {@code fixtures/fashion-mnist-mini}: a class-balanced subset of
 * Fashion-MNIST, 200 training and 100 test images per class, taken as the first ones of each class
 * in file order and kept in that order. Output is gzipped IDX in the standard layout, and
 * byte-for-byte reproducible (Java writes no timestamp into the gzip header).
 *
 * <p>Run from the repository root after {@code mvn -pl services/core test-compile}:
 *
 * <pre>
 * java -cp services/core/target/classes:services/core/target/test-classes \
 *     io.advrank.core.data.MakeFixture [SOURCE_DIR [OUTPUT_DIR]]
 * </pre>
 */
public final class MakeFixture {
  static final Path DEFAULT_SOURCE = Path.of("/usr/share/datasets/fashion-mnist");
  static final Path DEFAULT_OUTPUT =
      Path.of("services/core/src/test/resources/fixtures/fashion-mnist-mini");
  static final int TRAIN_PER_CLASS = 200;
  static final int TEST_PER_CLASS = 100;

  private MakeFixture() {}

  public static void main(String[] args) throws IOException, DataException {
    Path source = args.length > 0 ? Path.of(args[0]) : DEFAULT_SOURCE;
    Path output = args.length > 1 ? Path.of(args[1]) : DEFAULT_OUTPUT;
    Files.createDirectories(output);
    write(source, output, DatasetDirectory.Split.TRAIN, "train", TRAIN_PER_CLASS);
    write(source, output, DatasetDirectory.Split.TEST, "t10k", TEST_PER_CLASS);
  }

  private static void write(
      Path source, Path output, DatasetDirectory.Split split, String prefix, int perClass)
      throws IOException, DataException {
    ImageDataset full = DatasetDirectory.load(source, split);
    ImageDataset mini = full.subset(firstPerClass(full, perClass), full.name());
    IdxReader.write(
        output.resolve(prefix + "-images-idx3-ubyte.gz"),
        output.resolve(prefix + "-labels-idx1-ubyte.gz"),
        mini,
        true);
    System.out.printf(
        "%s: %d of %d images written to %s%n", prefix, mini.size(), full.size(), output);
  }

  /** Indices of the first {@code perClass} images of every class, in file order. */
  static int[] firstPerClass(ImageDataset data, int perClass) {
    int[] taken = new int[data.numClasses()];
    int[] picked = new int[data.numClasses() * perClass];
    int count = 0;
    for (int i = 0; i < data.size() && count < picked.length; i++) {
      int label = data.label(i);
      if (taken[label] < perClass) {
        taken[label]++;
        picked[count++] = i;
      }
    }
    if (count < picked.length) {
      throw new IllegalStateException(
          "%s has fewer than %d images of some class: %s"
              .formatted(data.name(), perClass, Arrays.toString(taken)));
    }
    return picked;
  }
}
