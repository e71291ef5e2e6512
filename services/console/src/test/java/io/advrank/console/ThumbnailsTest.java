package io.advrank.console;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.advrank.core.data.PhotoFiles;
import io.advrank.proto.v1.PhotoFormat;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.wire.PixelCodec;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

class ThumbnailsTest {
  @Test
  void scalesFashionMnistUpFourTimesWithSharpPixels() throws IOException {
    byte[] values = new byte[28 * 28];
    values[0] = (byte) 255; // top-left pixel white, the rest black
    BufferedImage png = read(Thumbnails.png(PixelCodec.fromUint8(1, 28, 28, values)));
    assertEquals(112, png.getWidth());
    assertEquals(112, png.getHeight());
    assertEquals(255, png.getRaster().getSample(3, 3, 0));
    assertEquals(0, png.getRaster().getSample(4, 0, 0));
  }

  @Test
  void amplifiesThePerturbationSoThatPlusMinusEpsilonAreWhiteAndBlack() throws IOException {
    float eps = 0.1f;
    float[] orig = {0.5f, 0.5f, 0.5f, 0.5f};
    float[] adv = {0.6f, 0.4f, 0.5f, 0.55f};
    byte[] png =
        Thumbnails.perturbation(
            PixelCodec.fromFloats(1, 2, 2, orig), PixelCodec.fromFloats(1, 2, 2, adv), eps);
    BufferedImage image = read(png);
    int f = image.getWidth() / 2; // 2×2 scaled to 112×112
    assertEquals(255, image.getRaster().getSample(0, 0, 0)); // +ε
    assertEquals(0, image.getRaster().getSample(f, 0, 0)); // -ε
    assertEquals(128, image.getRaster().getSample(0, f, 0)); // unchanged: mid grey
    assertEquals(191, image.getRaster().getSample(f, f, 0)); // +ε/2: three quarters
  }

  @Test
  void fitsAPhotoFileToTheAttacksShapeAsTheServicesDo() throws Exception {
    byte[] planes = new byte[3 * 8 * 8];
    java.util.Arrays.fill(planes, (byte) 200);
    Pixels photo =
        PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_PNG, PhotoFiles.png(planes, 3, 8, 8));
    Pixels same = PixelCodec.fromUint8(3, 8, 8, planes);
    assertEquals(0f, Thumbnails.linf(photo, same));
    BufferedImage own = read(Thumbnails.png(photo));
    assertEquals(112, own.getWidth());
    assertArrayEquals(new int[] {200, 200, 200}, own.getRaster().getPixel(5, 5, new int[3]));
  }

  @Test
  void refusesATensorOfAnotherShape() {
    Pixels small = PixelCodec.fromUint8(1, 2, 2, new byte[4]);
    Pixels big = PixelCodec.fromUint8(1, 3, 3, new byte[9]);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Thumbnails.linf(small, big));
    assertEquals(
        "image of shape Shape[channels=1, height=2, width=2], expected "
            + "Shape[channels=1, height=3, width=3]",
        e.getMessage());
  }

  private static BufferedImage read(byte[] png) throws IOException {
    return ImageIO.read(new ByteArrayInputStream(png));
  }
}
