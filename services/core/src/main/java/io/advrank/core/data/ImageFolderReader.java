package io.advrank.core.data;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Reads a catalog of image files laid out as one sub-folder per label ({@code dir/shirt/a.png},
 * {@code dir/shoe/b.jpg}, ...). Sub-folder names sorted alphabetically give labels 0..k-1; files
 * within a folder are read in name order. PNG and JPEG of any size are read through {@code
 * javax.imageio} and brought to the model's input as torchvision's {@code Resize(side) +
 * CenterCrop} would: the image is scaled so that it covers the target (aspect ratio kept), then the
 * centre is cut out. One-channel targets get greyscale (Rec. 601 luma), three-channel targets RGB
 * planes with grey images expanded; alpha is ignored.
 */
public final class ImageFolderReader {
  private static final List<String> EXTENSIONS = List.of(".png", ".jpg", ".jpeg");

  private ImageFolderReader() {}

  /**
   * Reads every PNG/JPEG image under the class sub-folders of {@code dir} as a one-channel dataset
   * of {@code height x width} images named after the folder. Other files are skipped.
   *
   * @throws DataException if {@code dir} is missing or has no sub-folders, a sub-folder holds no
   *     image, or an image cannot be decoded (the message names the file)
   */
  public static ImageDataset read(Path dir, int height, int width) throws DataException {
    return read(dir, 1, height, width);
  }

  /**
   * Reads every PNG/JPEG image under the class sub-folders of {@code dir} as a dataset of {@code
   * channels x height x width} images (channels 1 or 3) named after the folder.
   *
   * @throws DataException as {@link #read(Path, int, int)}
   */
  public static ImageDataset read(Path dir, int channels, int height, int width)
      throws DataException {
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image size must be positive, got %dx%d".formatted(height, width));
    }
    if (channels != 1 && channels != 3) {
      throw new IllegalArgumentException(
          "channels: image folders give 1 (grey) or 3 (RGB), not " + channels);
    }
    ByteArrayOutputStream pixels = new ByteArrayOutputStream();
    List<Entry> entries = list(dir);
    for (Entry entry : entries) {
      pixels.writeBytes(Photos.fit(readImage(entry.file()), channels, height, width));
    }
    int[] labelArray = entries.stream().mapToInt(Entry::label).toArray();
    String name = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
    return ImageDataset.of(name, pixels.toByteArray(), labelArray, channels, height, width);
  }

  /**
   * One photo of an image folder: its file and its label (the position of its folder's name in
   * {@link #classNames}).
   */
  public record Entry(Path file, int label) {}

  /**
   * The photos of {@code dir} in the order {@link #read} reads them (labels in folder-name order,
   * files in name order), without opening them: what a sender needs to upload the files as they
   * are.
   *
   * @throws DataException as {@link #read(Path, int, int)}, except that no file is decoded
   */
  public static List<Entry> list(Path dir) throws DataException {
    List<String> classes = classNames(dir);
    List<Entry> entries = new ArrayList<>();
    for (int label = 0; label < classes.size(); label++) {
      Path classDir = dir.resolve(classes.get(label));
      List<Path> files = imageFiles(classDir);
      if (files.isEmpty()) {
        throw new DataException("%s: class folder holds no PNG or JPEG images".formatted(classDir));
      }
      for (Path file : files) {
        entries.add(new Entry(file, label));
      }
    }
    return entries;
  }

  /**
   * The class names of {@code dir}: its sub-folder names (hidden ones excepted), sorted; the
   * position of a name is its label.
   *
   * @throws DataException if {@code dir} is not a readable directory or has no sub-folders
   */
  public static List<String> classNames(Path dir) throws DataException {
    if (!Files.isDirectory(dir)) {
      throw new DataException("%s: no such directory".formatted(dir));
    }
    List<String> names;
    try (Stream<Path> entries = Files.list(dir)) {
      names =
          entries
              .filter(Files::isDirectory)
              .map(p -> p.getFileName().toString())
              .filter(n -> !n.startsWith("."))
              .sorted()
              .toList();
    } catch (IOException e) {
      throw new DataException("%s: cannot list directory: %s".formatted(dir, e), e);
    }
    if (names.isEmpty()) {
      throw new DataException(
          "%s: no class sub-folders; expected one folder of PNG/JPEG images per label"
              .formatted(dir));
    }
    return names;
  }

  /** Whether {@code file} has a PNG or JPEG extension. */
  static boolean isImageFile(Path file) {
    String lower = file.getFileName().toString().toLowerCase(Locale.ROOT);
    return Files.isRegularFile(file) && EXTENSIONS.stream().anyMatch(lower::endsWith);
  }

  private static List<Path> imageFiles(Path classDir) throws DataException {
    try (Stream<Path> entries = Files.list(classDir)) {
      return entries.filter(ImageFolderReader::isImageFile).sorted().toList();
    } catch (IOException e) {
      throw new DataException("%s: cannot list directory: %s".formatted(classDir, e), e);
    }
  }

  /** Decoded as photos on the wire are ({@link PhotoFiles#decode}), so both give equal pixels. */
  private static BufferedImage readImage(Path file) throws DataException {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new DataException("%s: cannot read image: %s".formatted(file, e), e);
    }
    try {
      return PhotoFiles.decode(bytes, PhotoFiles.MAX_PIXELS);
    } catch (PhotoException e) {
      throw new DataException("%s: %s".formatted(file, e.getMessage()), e);
    }
  }
}
