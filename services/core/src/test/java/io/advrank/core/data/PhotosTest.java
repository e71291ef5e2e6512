package io.advrank.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.awt.image.BufferedImage;
import org.junit.jupiter.api.Test;

class PhotosTest {
  @Test
  void aWidePhotoIsScaledToTheHeightAndItsCentreCutOut() {
    // 8x4: left quarter red, middle half green, right quarter blue. Covering 2x2 halves it to
    // 4x2 (box filter), and the centre 2x2 is the green middle.
    BufferedImage image = new BufferedImage(8, 4, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 4; y++) {
      for (int x = 0; x < 8; x++) {
        image.setRGB(x, y, x < 2 ? 0xFF0000 : x < 6 ? 0x00FF00 : 0x0000FF);
      }
    }
    byte[] out = Photos.fit(image, 3, 2, 2);
    byte[] green = {0, 0, 0, 0, -1, -1, -1, -1, 0, 0, 0, 0}; // R plane, G plane (255), B plane
    assertArrayEquals(green, out);
  }

  @Test
  void greyPhotosAreExpandedToThreeEqualChannels() {
    BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_BYTE_GRAY);
    image.getRaster().setSample(1, 1, 0, 200);
    byte[] out = Photos.fit(image, 3, 4, 4);
    for (int c = 0; c < 3; c++) {
      assertEquals(200, out[c * 16 + 5] & 0xFF);
      assertEquals(0, out[c * 16] & 0xFF);
    }
  }

  @Test
  void largeDownscalesAverageInsteadOfSamplingSinglePixels() {
    // A 1-pixel checkerboard: one bilinear step from 64 to 4 px would sample a few pixels (0 or
    // 255); halving first averages them to mid-grey everywhere.
    BufferedImage image = new BufferedImage(64, 64, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 64; x++) {
        image.getRaster().setSample(x, y, 0, (x + y) % 2 == 0 ? 255 : 0);
      }
    }
    for (byte v : Photos.fit(image, 1, 4, 4)) {
      assertEquals(128, v & 0xFF, 1);
    }
  }

  @Test
  void aPhotoOfTheTargetSizeIsUnchanged() {
    BufferedImage image = new BufferedImage(3, 2, BufferedImage.TYPE_INT_RGB);
    image.setRGB(2, 1, 0x102030);
    byte[] out = Photos.fit(image, 3, 2, 3);
    assertEquals(0x10, out[5]);
    assertEquals(0x20, out[6 + 5]);
    assertEquals(0x30, out[12 + 5]);
  }
}
