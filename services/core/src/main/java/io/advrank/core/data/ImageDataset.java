package io.advrank.core.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Immutable set of labelled images. Pixels are kept as unsigned bytes (0..255) in CHW order, one
 * image after another, and exposed as floats in [0,1].
 *
 * <p>Bytes rather than floats because the full Fashion-MNIST training set is 47 MB as bytes and
 * four times that as floats; callers convert only the batch they are working on.
 */
public final class ImageDataset {
  private final String name;
  private final byte[] pixels;
  private final int[] labels;
  private final int channels;
  private final int height;
  private final int width;
  private final int numClasses;

  private ImageDataset(
      String name, byte[] pixels, int[] labels, int channels, int height, int width) {
    this.name = name;
    this.pixels = pixels;
    this.labels = labels;
    this.channels = channels;
    this.height = height;
    this.width = width;
    this.numClasses = Arrays.stream(labels).max().orElse(-1) + 1;
  }

  /**
   * Wraps the given arrays without copying them, so loading a large dataset does not need twice its
   * memory. The caller hands over ownership: it must not modify either array afterwards.
   *
   * @param pixels {@code labels.length * channels * height * width} unsigned bytes, CHW per image
   * @param labels one non-negative class index per image
   * @throws IllegalArgumentException if a dimension is not positive, the lengths disagree or a
   *     label is negative
   */
  public static ImageDataset of(
      String name, byte[] pixels, int[] labels, int channels, int height, int width) {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(pixels, "pixels");
    Objects.requireNonNull(labels, "labels");
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "dataset '%s': dimensions must be positive, got channels=%d height=%d width=%d"
              .formatted(name, channels, height, width));
    }
    long expected = (long) labels.length * channels * height * width;
    if (pixels.length != expected) {
      throw new IllegalArgumentException(
          "dataset '%s': %d labels of %dx%dx%d need %d pixel bytes, got %d"
              .formatted(name, labels.length, channels, height, width, expected, pixels.length));
    }
    for (int i = 0; i < labels.length; i++) {
      if (labels[i] < 0) {
        throw new IllegalArgumentException(
            "dataset '%s': label %d of image %d is negative".formatted(name, labels[i], i));
      }
    }
    return new ImageDataset(name, pixels, labels, channels, height, width);
  }

  /** The dataset's name, e.g. {@code fashion-mnist-train}. */
  public String name() {
    return name;
  }

  /** Number of images. */
  public int size() {
    return labels.length;
  }

  public int channels() {
    return channels;
  }

  public int height() {
    return height;
  }

  public int width() {
    return width;
  }

  /** Values per image: {@code channels * height * width}. */
  public int imageSize() {
    return channels * height * width;
  }

  /** The class index of image {@code i}. */
  public int label(int i) {
    return labels[Objects.checkIndex(i, labels.length)];
  }

  /** All labels in image order; a copy the caller may modify. */
  public int[] labels() {
    return labels.clone();
  }

  /** Number of classes, taken as the largest label plus one (0 for an empty dataset). */
  public int numClasses() {
    return numClasses;
  }

  /** Image {@code i} as {@link #imageSize()} floats in [0,1], CHW order. */
  public float[] image(int i) {
    return batch(new int[] {i});
  }

  /**
   * The images at {@code indices}, concatenated in the given order, as floats in [0,1]; length
   * {@code indices.length * imageSize()}. Indices may repeat.
   */
  public float[] batch(int[] indices) {
    int n = imageSize();
    float[] out = new float[indices.length * n];
    for (int k = 0; k < indices.length; k++) {
      int from = Objects.checkIndex(indices[k], labels.length) * n;
      int to = k * n;
      for (int j = 0; j < n; j++) {
        out[to + j] = (pixels[from + j] & 0xFF) / 255f;
      }
    }
    return out;
  }

  /** A new dataset holding copies of the images at {@code indices}, in that order. */
  public ImageDataset subset(int[] indices, String name) {
    int n = imageSize();
    byte[] subPixels = new byte[indices.length * n];
    int[] subLabels = new int[indices.length];
    for (int k = 0; k < indices.length; k++) {
      int i = Objects.checkIndex(indices[k], labels.length);
      System.arraycopy(pixels, i * n, subPixels, k * n, n);
      subLabels[k] = labels[i];
    }
    return new ImageDataset(name, subPixels, subLabels, channels, height, width);
  }

  /**
   * The first {@code n} images, named after this dataset.
   *
   * @throws IllegalArgumentException if {@code n} is negative or larger than {@link #size()}
   */
  public ImageDataset head(int n) {
    if (n < 0 || n > size()) {
      throw new IllegalArgumentException(
          "dataset '%s': cannot take the first n=%d images, it holds size=%d"
              .formatted(name, n, size()));
    }
    int[] indices = new int[n];
    Arrays.setAll(indices, i -> i);
    return subset(indices, name);
  }

  /** Indices of the images with the given label, ascending; empty if there are none. */
  public int[] indicesOfLabel(int label) {
    int count = 0;
    for (int l : labels) {
      if (l == label) {
        count++;
      }
    }
    int[] out = new int[count];
    for (int i = 0, k = 0; i < labels.length; i++) {
      if (labels[i] == label) {
        out[k++] = i;
      }
    }
    return out;
  }

  /** The backing pixel bytes, shared, for writers in this package; never modify them. */
  byte[] pixelBytes() {
    return pixels;
  }

  @Override
  public String toString() {
    return "ImageDataset[%s: %d images of %dx%dx%d, %d classes]"
        .formatted(name, size(), channels, height, width, numClasses);
  }
}
