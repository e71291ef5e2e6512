package io.advrank.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {
  private static final int IMAGES_MAGIC = 0x00000803;
  private static final int LABELS_MAGIC = 0x00000801;

  @TempDir Path tmp;

  @Test
  void readsFixtureWithBalancedClassesAndUnitRangePixels() throws Exception {
    Path dir = Fixtures.fashionMnistMini();
    ImageDataset train =
        IdxReader.read(
            dir.resolve("train-images-idx3-ubyte.gz"),
            dir.resolve("train-labels-idx1-ubyte.gz"),
            "mini");
    assertEquals(2000, train.size());
    assertEquals(28, train.height());
    assertEquals(28, train.width());
    assertEquals(1, train.channels());
    assertEquals(10, train.numClasses());
    for (int label = 0; label < 10; label++) {
      assertEquals(200, train.indicesOfLabel(label).length, "images of class " + label);
    }
    float[] all = train.batch(train.indicesOfLabel(3));
    float min = 1;
    float max = 0;
    for (float v : all) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    assertEquals(0f, min);
    assertEquals(1f, max);
  }

  @Test
  void gzippedAndRawFilesGiveIdenticalDatasets() throws Exception {
    Path dir = Fixtures.fashionMnistMini();
    ImageDataset gz =
        IdxReader.read(
            dir.resolve("t10k-images-idx3-ubyte.gz"),
            dir.resolve("t10k-labels-idx1-ubyte.gz"),
            "t");
    IdxReader.write(tmp.resolve("images"), tmp.resolve("labels"), gz, false);
    ImageDataset raw = IdxReader.read(tmp.resolve("images"), tmp.resolve("labels"), "t");
    assertEquals(1000, raw.size());
    assertArrayEquals(gz.labels(), raw.labels());
    assertArrayEquals(gz.pixelBytes(), raw.pixelBytes());
  }

  @Test
  void detectsGzipByMagicBytesNotFileName() throws Exception {
    ImageDataset data =
        ImageDataset.of("d", new byte[] {1, 2, 3, 4, 5, 6}, new int[] {4, 1}, 1, 1, 3);
    IdxReader.write(tmp.resolve("zipped-without-suffix"), tmp.resolve("l"), data, true);
    IdxReader.write(tmp.resolve("raw-named.gz"), tmp.resolve("l2.gz"), data, false);
    ImageDataset a = IdxReader.read(tmp.resolve("zipped-without-suffix"), tmp.resolve("l"), "a");
    ImageDataset b = IdxReader.read(tmp.resolve("raw-named.gz"), tmp.resolve("l2.gz"), "b");
    assertArrayEquals(data.pixelBytes(), a.pixelBytes());
    assertArrayEquals(data.pixelBytes(), b.pixelBytes());
    assertArrayEquals(new int[] {4, 1}, b.labels());
  }

  @Test
  void wrongMagicNamesFileAndBothNumbers() throws Exception {
    Path images = write("images-idx3-ubyte", idx(LABELS_MAGIC, new int[] {2}, new byte[2]));
    Path labels = write("labels-idx1-ubyte", idx(LABELS_MAGIC, new int[] {2}, new byte[2]));
    String message = failure(images, labels);
    assertTrue(message.startsWith("images-idx3-ubyte: wrong magic number"), message);
    assertTrue(message.contains("0x00000801") && message.contains("0x00000803"), message);
  }

  @Test
  void truncatedImagesFileNamesDeclaredAndActualSizes() throws Exception {
    Path images =
        write("images-idx3-ubyte", idx(IMAGES_MAGIC, new int[] {10, 4, 4}, new byte[100]));
    Path labels = write("labels-idx1-ubyte", idx(LABELS_MAGIC, new int[] {10}, new byte[10]));
    assertEquals(
        "images-idx3-ubyte: truncated: header declares 10 images of 4x4"
            + " but the file holds 100 bytes of pixel data",
        failure(images, labels));
  }

  @Test
  void truncatedGzipStreamIsReportedAsTruncated() throws Exception {
    byte[] gz = gzip(idx(IMAGES_MAGIC, new int[] {1000, 28, 28}, new byte[1000 * 784]));
    Path images = write("images.gz", Arrays.copyOf(gz, gz.length / 2));
    Path labels = write("labels", idx(LABELS_MAGIC, new int[] {1000}, new byte[1000]));
    String message = failure(images, labels);
    assertTrue(message.startsWith("images.gz: truncated: header declares 1000 images"), message);
  }

  @Test
  void truncatedLabelsFileNamesDeclaredAndActualSizes() throws Exception {
    Path images = write("images", idx(IMAGES_MAGIC, new int[] {5, 2, 2}, new byte[20]));
    Path labels = write("labels-idx1-ubyte", idx(LABELS_MAGIC, new int[] {5}, new byte[3]));
    assertEquals(
        "labels-idx1-ubyte: truncated: header declares 5 labels"
            + " but the file holds 3 bytes of label data",
        failure(images, labels));
  }

  @Test
  void countMismatchNamesBothFiles() throws Exception {
    Path images = write("images-idx3-ubyte", idx(IMAGES_MAGIC, new int[] {5, 2, 2}, new byte[20]));
    Path labels = write("labels-idx1-ubyte", idx(LABELS_MAGIC, new int[] {4}, new byte[4]));
    String message = failure(images, labels);
    assertTrue(message.startsWith("labels-idx1-ubyte: holds 4 labels"), message);
    assertTrue(message.contains("images-idx3-ubyte holds 5 images"), message);
  }

  @Test
  void zeroDimensionIsRejected() throws Exception {
    Path images = write("images-idx3-ubyte", idx(IMAGES_MAGIC, new int[] {5, 0, 2}, new byte[0]));
    Path labels = write("labels-idx1-ubyte", idx(LABELS_MAGIC, new int[] {5}, new byte[5]));
    String message = failure(images, labels);
    assertTrue(message.startsWith("images-idx3-ubyte: header declares non-positive"), message);
    assertTrue(message.contains("[5, 0, 2]"), message);
  }

  @Test
  void headerCutShortIsReportedAsTruncated() throws Exception {
    Path images = write("images-idx3-ubyte", new byte[] {0, 0, 8, 3, 0, 0});
    Path labels = write("labels-idx1-ubyte", idx(LABELS_MAGIC, new int[] {1}, new byte[1]));
    assertTrue(failure(images, labels).startsWith("images-idx3-ubyte: truncated"));
  }

  @Test
  void missingFileIsNamed() {
    String message = failure(tmp.resolve("nope-images"), tmp.resolve("nope-labels"));
    assertTrue(message.contains("nope-images") && message.contains("no such file"), message);
  }

  private String failure(Path images, Path labels) {
    return assertThrows(DataException.class, () -> IdxReader.read(images, labels, "x"))
        .getMessage();
  }

  private Path write(String name, byte[] content) throws IOException {
    return Files.write(tmp.resolve(name), content);
  }

  /** An IDX file with the given magic, dimension sizes and body, possibly inconsistent. */
  private static byte[] idx(int magic, int[] dims, byte[] body) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (DataOutputStream out = new DataOutputStream(bytes)) {
      out.writeInt(magic);
      for (int d : dims) {
        out.writeInt(d);
      }
      out.write(body);
    }
    return bytes.toByteArray();
  }

  private static byte[] gzip(byte[] content) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (OutputStream out = new GZIPOutputStream(bytes)) {
      out.write(content);
    }
    return bytes.toByteArray();
  }
}
