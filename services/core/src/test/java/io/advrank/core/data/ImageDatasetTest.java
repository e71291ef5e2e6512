package io.advrank.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class ImageDatasetTest {
  /** Three 1x2x2 images whose pixels are their index times 10 plus position. */
  private static ImageDataset threeImages() {
    byte[] pixels = {0, 1, 2, 3, 10, 11, 12, 13, 20, 21, 22, (byte) 255};
    return ImageDataset.of("tiny", pixels, new int[] {2, 0, 2}, 1, 2, 2);
  }

  @Test
  void exposesShapeAndLabels() {
    ImageDataset data = threeImages();
    assertEquals("tiny", data.name());
    assertEquals(3, data.size());
    assertEquals(1, data.channels());
    assertEquals(2, data.height());
    assertEquals(2, data.width());
    assertEquals(4, data.imageSize());
    assertEquals(3, data.numClasses());
    assertEquals(0, data.label(1));
  }

  @Test
  void ofRejectsPixelCountThatDoesNotMatchLabels() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageDataset.of("bad", new byte[7], new int[] {0, 1}, 1, 2, 2));
    assertTrue(e.getMessage().contains("need 8 pixel bytes, got 7"), e.getMessage());
  }

  @Test
  void ofRejectsNegativeLabel() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageDataset.of("bad", new byte[8], new int[] {0, -1}, 1, 2, 2));
    assertTrue(e.getMessage().contains("label -1 of image 1"), e.getMessage());
  }

  @Test
  void ofRejectsNonPositiveDimensions() {
    assertThrows(
        IllegalArgumentException.class,
        () -> ImageDataset.of("bad", new byte[0], new int[0], 1, 0, 2));
  }

  @Test
  void imageScalesUnsignedBytesToUnitRange() {
    float[] image = threeImages().image(2);
    assertArrayEquals(new float[] {20 / 255f, 21 / 255f, 22 / 255f, 1f}, image);
  }

  @Test
  void batchConcatenatesImagesInIndexOrder() {
    ImageDataset data = threeImages();
    float[] batch = data.batch(new int[] {2, 0, 2});
    assertEquals(12, batch.length);
    assertArrayEquals(data.image(2), Arrays.copyOfRange(batch, 0, 4));
    assertArrayEquals(data.image(0), Arrays.copyOfRange(batch, 4, 8));
    assertArrayEquals(data.image(2), Arrays.copyOfRange(batch, 8, 12));
  }

  @Test
  void batchRejectsIndexOutOfRange() {
    assertThrows(IndexOutOfBoundsException.class, () -> threeImages().batch(new int[] {3}));
  }

  @Test
  void subsetCopiesImagesAndLabelsInGivenOrder() {
    ImageDataset data = threeImages();
    ImageDataset sub = data.subset(new int[] {2, 1}, "sub");
    assertEquals("sub", sub.name());
    assertEquals(2, sub.size());
    assertArrayEquals(new int[] {2, 0}, sub.labels());
    assertArrayEquals(data.batch(new int[] {2, 1}), sub.batch(new int[] {0, 1}));
  }

  @Test
  void headKeepsFirstImages() {
    ImageDataset head = threeImages().head(2);
    assertEquals("tiny", head.name());
    assertArrayEquals(new int[] {2, 0}, head.labels());
    assertArrayEquals(threeImages().image(1), head.image(1));
    assertEquals(0, threeImages().head(0).size());
  }

  @Test
  void headBeyondSizeNamesRequestedCountAndSize() {
    var e = assertThrows(IllegalArgumentException.class, () -> threeImages().head(5));
    assertTrue(e.getMessage().contains("n=5"), e.getMessage());
    assertTrue(e.getMessage().contains("size=3"), e.getMessage());
  }

  @Test
  void indicesOfLabelListsMatchingImagesAscending() {
    ImageDataset data = threeImages();
    assertArrayEquals(new int[] {0, 2}, data.indicesOfLabel(2));
    assertArrayEquals(new int[] {1}, data.indicesOfLabel(0));
    assertArrayEquals(new int[0], data.indicesOfLabel(1));
  }

  @Test
  void labelsReturnsDefensiveCopy() {
    ImageDataset data = threeImages();
    data.labels()[0] = 7;
    assertEquals(2, data.label(0));
  }
}
