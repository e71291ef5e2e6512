package io.advrank.core.data;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;

/**
 * Reads and writes labelled greyscale images in the IDX format used by MNIST and Fashion-MNIST: an
 * images file (magic {@code 0x00000803}: unsigned bytes, 3 dimensions count x rows x cols) and a
 * labels file (magic {@code 0x00000801}: unsigned bytes, 1 dimension). Either file may be gzipped;
 * that is decided by the gzip magic bytes, not by the file name, because downloaded files are often
 * renamed or transparently decompressed.
 */
final class IdxReader {
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  private IdxReader() {}

  /**
   * Reads an images file and its labels file into a one-channel dataset.
   *
   * @throws DataException if a file is missing, unreadable, has the wrong magic number or
   *     non-positive dimensions, is shorter than its header declares, or the counts disagree
   */
  public static ImageDataset read(Path images, Path labels, String name) throws DataException {
    byte[] pixels;
    int count;
    int rows;
    int cols;
    try (InputStream in = open(images)) {
      int[] header = readHeader(in, images, IMAGES_MAGIC, 3, "unsigned-byte images");
      count = header[0];
      rows = header[1];
      cols = header[2];
      long expected = (long) count * rows * cols;
      pixels = readBody(in, images, expected);
      if (pixels.length < expected) {
        throw new DataException(
            "%s: truncated: header declares %d images of %dx%d but the file holds %d bytes of pixel data"
                .formatted(fileName(images), count, rows, cols, pixels.length));
      }
    } catch (IOException e) {
      throw unreadable(images, e);
    }
    int[] labelValues = readLabels(labels);
    if (labelValues.length != count) {
      throw new DataException(
          "%s: holds %d labels but %s holds %d images; they must be a matching pair"
              .formatted(fileName(labels), labelValues.length, fileName(images), count));
    }
    return ImageDataset.of(name, pixels, labelValues, 1, rows, cols);
  }

  /**
   * Writes {@code data} as an IDX images file and labels file, gzipped if asked. Only one-channel
   * datasets fit the format. Used to build test fixtures.
   */
  public static void write(Path images, Path labels, ImageDataset data, boolean gzip)
      throws IOException {
    if (data.channels() != 1) {
      throw new IllegalArgumentException(
          "IDX holds one channel per image, dataset '%s' has %d"
              .formatted(data.name(), data.channels()));
    }
    try (DataOutputStream out = new DataOutputStream(create(images, gzip))) {
      out.writeInt(IMAGES_MAGIC);
      out.writeInt(data.size());
      out.writeInt(data.height());
      out.writeInt(data.width());
      out.write(data.pixelBytes());
    }
    try (DataOutputStream out = new DataOutputStream(create(labels, gzip))) {
      out.writeInt(LABELS_MAGIC);
      out.writeInt(data.size());
      for (int label : data.labels()) {
        if (label > 255) {
          throw new IllegalArgumentException("IDX labels are bytes, got label " + label);
        }
        out.writeByte(label);
      }
    }
  }

  private static int[] readLabels(Path labels) throws DataException {
    try (InputStream in = open(labels)) {
      int count = readHeader(in, labels, LABELS_MAGIC, 1, "unsigned-byte labels")[0];
      byte[] bytes = readBody(in, labels, count);
      if (bytes.length < count) {
        throw new DataException(
            "%s: truncated: header declares %d labels but the file holds %d bytes of label data"
                .formatted(fileName(labels), count, bytes.length));
      }
      int[] values = new int[count];
      for (int i = 0; i < count; i++) {
        values[i] = bytes[i] & 0xFF;
      }
      return values;
    } catch (IOException e) {
      throw unreadable(labels, e);
    }
  }

  /**
   * Checks the magic number and returns the declared dimensions, each checked positive. The magic
   * is checked before the rest is read so that a swapped or foreign file is reported as such rather
   * than as a short header.
   */
  private static int[] readHeader(InputStream in, Path file, int magic, int dims, String what)
      throws IOException, DataException {
    int found = readInt(in, file, dims);
    if (found != magic) {
      throw new DataException(
          "%s: wrong magic number 0x%08X, expected 0x%08X (IDX %s, %d dimensions)"
              .formatted(fileName(file), found, magic, what, dims));
    }
    int[] sizes = new int[dims];
    for (int i = 0; i < dims; i++) {
      sizes[i] = readInt(in, file, dims);
    }
    if (Arrays.stream(sizes).anyMatch(s -> s <= 0)) {
      throw new DataException(
          "%s: header declares non-positive dimensions %s; every dimension must be > 0"
              .formatted(fileName(file), Arrays.toString(sizes)));
    }
    return sizes;
  }

  /** One big-endian header word of an IDX file with {@code dims} dimensions. */
  private static int readInt(InputStream in, Path file, int dims)
      throws IOException, DataException {
    byte[] word = in.readNBytes(4);
    if (word.length < 4) {
      throw new DataException(
          "%s: truncated: the file ends inside its %d-byte IDX header"
              .formatted(fileName(file), 4 * (dims + 1)));
    }
    return (word[0] & 0xFF) << 24 | (word[1] & 0xFF) << 16 | (word[2] & 0xFF) << 8 | word[3] & 0xFF;
  }

  /**
   * Reads up to {@code expected} bytes, growing the buffer as data arrives so that a corrupt header
   * declaring a huge count cannot make us allocate it up front. Returns fewer bytes when the file
   * is truncated, including a gzip stream that ends early.
   */
  private static byte[] readBody(InputStream in, Path file, long expected)
      throws IOException, DataException {
    if (expected > Integer.MAX_VALUE - 8) {
      throw new DataException(
          "%s: header declares %d bytes of data, more than one array can hold"
              .formatted(fileName(file), expected));
    }
    byte[] buf = new byte[(int) Math.min(expected, 1 << 20)];
    int filled = 0;
    while (filled < expected) {
      if (filled == buf.length) {
        buf = Arrays.copyOf(buf, (int) Math.min(expected, 2L * buf.length));
      }
      int n;
      try {
        n = in.read(buf, filled, buf.length - filled);
      } catch (EOFException e) {
        break; // a cut-off gzip stream: report it as truncated with what we got
      }
      if (n < 0) {
        break;
      }
      filled += n;
    }
    return filled == buf.length ? buf : Arrays.copyOf(buf, filled);
  }

  private static InputStream open(Path file) throws IOException {
    BufferedInputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    boolean gzip = b0 == 0x1f && b1 == 0x8b;
    return gzip ? new GZIPInputStream(in, 1 << 16) : in;
  }

  private static OutputStream create(Path file, boolean gzip) throws IOException {
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    return gzip ? new GZIPOutputStream(out, 1 << 16) : out;
  }

  private static DataException unreadable(Path file, IOException e) {
    if (e instanceof NoSuchFileException) {
      return new DataException("%s: no such file".formatted(file), e);
    }
    if (e instanceof ZipException) {
      return new DataException(
          "%s: corrupt gzip data: %s".formatted(fileName(file), e.getMessage()), e);
    }
    return new DataException("%s: cannot read: %s".formatted(file, e), e);
  }

  private static String fileName(Path file) {
    Path name = file.getFileName();
    return name == null ? file.toString() : name.toString();
  }
}
