package io.advrank.core.data;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Loads one split of a dataset directory in the standard MNIST/Fashion-MNIST layout: {@code
 * train-images-idx3-ubyte[.gz]} with {@code train-labels-idx1-ubyte[.gz]}, and {@code
 * t10k-images-idx3-ubyte[.gz]} with {@code t10k-labels-idx1-ubyte[.gz]}. The gzipped name is tried
 * first because that is how Debian's {@code dataset-fashion-mnist} ships them.
 *
 * <p>A directory with no IDX files but one sub-folder of PNG/JPEG images per label (optionally
 * under {@code train/} and {@code test/}) is read with {@link ImageFolderReader} at the size asked
 * for (a model's input), by default 1x28x28, the Fashion-MNIST size.
 */
public final class DatasetDirectory {
  /** Image height and width used for image-folder datasets, matching Fashion-MNIST. */
  private static final int FOLDER_IMAGE_SIZE = 28;

  private static final String HOW_TO_GET_DATA =
      "install it with `apt-get install dataset-fashion-mnist`,"
          + " or pass --data DIR (a directory of IDX files)";

  /** Which half of the dataset to load. */
  public enum Split {
    TRAIN("train", "train"),
    TEST("t10k", "test");

    private final String idxPrefix;
    private final String folderName;

    Split(String idxPrefix, String folderName) {
      this.idxPrefix = idxPrefix;
      this.folderName = folderName;
    }
  }

  private DatasetDirectory() {}

  /**
   * Loads {@code split} from {@code dir}; the dataset is named {@code <dir name>-<train|test>}.
   *
   * @throws DataException if the directory or a file is missing (the message says which file was
   *     looked for and how to get the data), or a file cannot be read
   */
  public static ImageDataset load(Path dir, Split split) throws DataException {
    return load(dir, split, 1, FOLDER_IMAGE_SIZE, FOLDER_IMAGE_SIZE);
  }

  /**
   * Loads {@code split} from {@code dir}, reading an image folder at {@code channels x height x
   * width} (IDX files keep their own shape: callers check it against the model).
   *
   * @throws DataException as {@link #load(Path, Split)}
   */
  public static ImageDataset load(Path dir, Split split, int channels, int height, int width)
      throws DataException {
    if (!Files.isDirectory(dir)) {
      throw new DataException("no Fashion-MNIST at %s: %s".formatted(dir, HOW_TO_GET_DATA));
    }
    String name = dirName(dir) + "-" + split.folderName;
    Optional<Path> folder = photoFolder(dir, split);
    if (folder.isPresent()) {
      ImageDataset data = ImageFolderReader.read(folder.get(), channels, height, width);
      return ImageDataset.of(
          name, data.pixelBytes(), data.labels(), channels, data.height(), data.width());
    }
    Path images = find(dir, split.idxPrefix + "-images-idx3-ubyte");
    Path labels = find(dir, split.idxPrefix + "-labels-idx1-ubyte");
    return IdxReader.read(images, labels, name);
  }

  /**
   * The image folder (one sub-folder of PNG/JPEG photos per label) that {@link #load} reads for
   * {@code split}, or empty when {@code dir} holds IDX files or no photos: lets a sender list the
   * files ({@link ImageFolderReader#list}) and upload them as they are.
   *
   * @throws DataException if {@code dir} cannot be listed
   */
  public static Optional<Path> photoFolder(Path dir, Split split) throws DataException {
    if (!Files.isDirectory(dir) || hasIdxFiles(dir)) {
      return Optional.empty();
    }
    Path root = dir.resolve(split.folderName);
    Path folder = Files.isDirectory(root) ? root : dir;
    return hasImageSubfolder(folder) ? Optional.of(folder) : Optional.empty();
  }

  /** The gzipped or raw file of that base name, or an error naming both names looked for. */
  private static Path find(Path dir, String baseName) throws DataException {
    Path gzipped = dir.resolve(baseName + ".gz");
    if (Files.isRegularFile(gzipped)) {
      return gzipped;
    }
    Path raw = dir.resolve(baseName);
    if (Files.isRegularFile(raw)) {
      return raw;
    }
    throw new DataException(
        "no Fashion-MNIST at %s: found neither %s.gz nor %s there; %s"
            .formatted(dir, baseName, baseName, HOW_TO_GET_DATA));
  }

  /**
   * Any IDX-looking file means the user meant an IDX directory: a missing partner file then gets
   * the IDX error rather than a confusing image-folder one.
   */
  private static boolean hasIdxFiles(Path dir) throws DataException {
    try (Stream<Path> entries = Files.list(dir)) {
      return entries.anyMatch(p -> p.getFileName().toString().contains("-ubyte"));
    } catch (IOException e) {
      throw new DataException("%s: cannot list directory: %s".formatted(dir, e), e);
    }
  }

  /** Whether some sub-folder of {@code dir} directly holds a PNG or JPEG file. */
  private static boolean hasImageSubfolder(Path dir) throws DataException {
    try (Stream<Path> entries = Files.list(dir)) {
      for (Path sub : entries.filter(Files::isDirectory).toList()) {
        try (Stream<Path> files = Files.list(sub)) {
          if (files.anyMatch(ImageFolderReader::isImageFile)) {
            return true;
          }
        }
      }
      return false;
    } catch (IOException e) {
      throw new DataException("%s: cannot list directory: %s".formatted(dir, e), e);
    }
  }

  private static String dirName(Path dir) {
    Path name = dir.toAbsolutePath().normalize().getFileName();
    return name == null ? "data" : name.toString().toLowerCase(Locale.ROOT);
  }
}
