package io.advrank.core.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads a catalog of image files laid out as one sub-folder per label ({@code dir/shirt/a.png},
 * {@code dir/shoe/b.jpg}, ...). Sub-folder names sorted alphabetically give labels 0..k-1; files
 * within a folder are read in name order. PNG and JPEG are read through {@code javax.imageio},
 * converted to greyscale (Rec. 601 luma, alpha ignored) and resized bilinearly to the requested
 * size when they differ, so a product catalog can stand in for Fashion-MNIST.
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
    if (height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image size must be positive, got %dx%d".formatted(height, width));
    }
    List<String> classes = classNames(dir);
    ByteArrayOutputStream pixels = new ByteArrayOutputStream();
    List<Integer> labels = new ArrayList<>();
    for (int label = 0; label < classes.size(); label++) {
      Path classDir = dir.resolve(classes.get(label));
      List<Path> files = imageFiles(classDir);
      if (files.isEmpty()) {
        throw new DataException("%s: class folder holds no PNG or JPEG images".formatted(classDir));
      }
      for (Path file : files) {
        pixels.writeBytes(toGreyBytes(readImage(file), height, width));
        labels.add(label);
      }
    }
    int[] labelArray = labels.stream().mapToInt(Integer::intValue).toArray();
    String name = dir.getFileName() == null ? dir.toString() : dir.getFileName().toString();
    return ImageDataset.of(name, pixels.toByteArray(), labelArray, 1, height, width);
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

  private static BufferedImage readImage(Path file) throws DataException {
    try {
      BufferedImage image = ImageIO.read(file.toFile());
      if (image == null) {
        throw new DataException("%s: not a readable PNG or JPEG image".formatted(file));
      }
      return image;
    } catch (IOException | RuntimeException e) {
      // Some ImageIO decoders throw unchecked exceptions on corrupt data; both mean the same.
      throw new DataException("%s: cannot read image: %s".formatted(file, e), e);
    }
  }

  /** Greyscale in [0,255] as floats, resized, then rounded to bytes. */
  private static byte[] toGreyBytes(BufferedImage image, int height, int width) {
    float[] grey = greyscale(image);
    float[] resized =
        image.getHeight() == height && image.getWidth() == width
            ? grey
            : bilinear(grey, image.getHeight(), image.getWidth(), height, width);
    byte[] out = new byte[resized.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = (byte) Math.round(Math.max(0f, Math.min(255f, resized[i])));
    }
    return out;
  }

  private static float[] greyscale(BufferedImage image) {
    int h = image.getHeight();
    int w = image.getWidth();
    float[] grey = new float[h * w];
    Raster raster = image.getRaster();
    // Grey images are read from the raster directly: getRGB() would push them through a
    // linear-grey to sRGB conversion and brighten them. Palette images need getRGB().
    boolean rawGrey =
        image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
            && !(image.getColorModel() instanceof IndexColorModel);
    float scale = rawGrey ? 255f / ((1 << raster.getSampleModel().getSampleSize(0)) - 1) : 1f;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        if (rawGrey) {
          grey[y * w + x] = raster.getSample(x, y, 0) * scale;
        } else {
          int rgb = image.getRGB(x, y);
          grey[y * w + x] =
              0.299f * (rgb >> 16 & 0xFF) + 0.587f * (rgb >> 8 & 0xFF) + 0.114f * (rgb & 0xFF);
        }
      }
    }
    return grey;
  }

  /** Bilinear resize with pixel centres aligned (as PIL and OpenCV do), edges clamped. */
  static float[] bilinear(float[] src, int srcH, int srcW, int dstH, int dstW) {
    float[] dst = new float[dstH * dstW];
    float sy = (float) srcH / dstH;
    float sx = (float) srcW / dstW;
    for (int y = 0; y < dstH; y++) {
      float fy = Math.max(0f, Math.min(srcH - 1f, (y + 0.5f) * sy - 0.5f));
      int y0 = (int) fy;
      int y1 = Math.min(y0 + 1, srcH - 1);
      float wy = fy - y0;
      for (int x = 0; x < dstW; x++) {
        float fx = Math.max(0f, Math.min(srcW - 1f, (x + 0.5f) * sx - 0.5f));
        int x0 = (int) fx;
        int x1 = Math.min(x0 + 1, srcW - 1);
        float wx = fx - x0;
        float top = src[y0 * srcW + x0] * (1 - wx) + src[y0 * srcW + x1] * wx;
        float bottom = src[y1 * srcW + x0] * (1 - wx) + src[y1 * srcW + x1] * wx;
        dst[y * dstW + x] = top * (1 - wy) + bottom * wy;
      }
    }
    return dst;
  }
}
