package io.advrank.core.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Photo files from bytes: format, decoding, fitting, and what is refused ({@link PhotoFiles}). */
class PhotoFilesTest {
  @Test
  void aPngOfEightBitPlanesDecodesToTheSamePlanes() throws Exception {
    for (int channels : new int[] {1, 3}) {
      byte[] planes = new byte[channels * 8 * 6];
      new Random(channels).nextBytes(planes);
      byte[] png = PhotoFiles.png(planes, channels, 8, 6);

      assertEquals(Optional.of(PhotoFiles.Format.PNG), PhotoFiles.sniff(png));
      assertArrayEquals(planes, PhotoFiles.fit(png, channels, 8, 6), channels + " channels");
    }
  }

  @Test
  void aJpegIsDecodedAndFittedToTheModelsInput() throws Exception {
    // 40x30 orange, JPEG: the fitted 3x16x16 is orange within JPEG's error.
    byte[] jpeg = jpeg(solid(40, 30, 0xFF8000, BufferedImage.TYPE_INT_RGB));

    byte[] fitted = PhotoFiles.fit(jpeg, 3, 16, 16);

    assertEquals(Optional.of(PhotoFiles.Format.JPEG), PhotoFiles.sniff(jpeg));
    assertEquals(3 * 16 * 16, fitted.length);
    assertNear(fitted, 0, 256, 255);
    assertNear(fitted, 256, 512, 128);
    assertNear(fitted, 512, 768, 0);
  }

  @Test
  void aGreyJpegIsExpandedToThreeEqualChannels() throws Exception {
    BufferedImage grey = solid(20, 20, 0, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 20; x++) {
        grey.getRaster().setSample(x, y, 0, 90);
      }
    }

    byte[] fitted = PhotoFiles.fit(jpeg(grey), 3, 10, 10);

    assertNear(fitted, 0, 300, 90);
    assertArrayEquals(Arrays.copyOfRange(fitted, 0, 100), Arrays.copyOfRange(fitted, 100, 200));
    assertArrayEquals(Arrays.copyOfRange(fitted, 0, 100), Arrays.copyOfRange(fitted, 200, 300));
  }

  @Test
  void bytesThatAreNotPngOrJpegAreAnUnsupportedFormat() {
    byte[] gif = "GIF89a....".getBytes(StandardCharsets.US_ASCII);

    var e = assertThrows(PhotoException.class, () -> PhotoFiles.fit(gif, 3, 4, 4));

    assertEquals(PhotoException.Problem.UNSUPPORTED_FORMAT, e.problem());
    assertTrue(e.getMessage().contains("not a PNG or JPEG file"), e.getMessage());
    assertEquals(
        PhotoException.Problem.UNSUPPORTED_FORMAT,
        assertThrows(PhotoException.class, () -> PhotoFiles.fit(new byte[0], 3, 4, 4)).problem());
  }

  @Test
  void aCorruptOrTruncatedFileIsUndecodableWithAOneLineReason() throws Exception {
    byte[] png = PhotoFiles.png(new byte[3 * 8 * 8], 3, 8, 8);
    byte[] truncated = Arrays.copyOf(png, 20);
    byte[] garbage = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2, 3, 4, 5, 6, 7};

    for (byte[] bad : new byte[][] {truncated, garbage}) {
      var e = assertThrows(PhotoException.class, () -> PhotoFiles.fit(bad, 3, 4, 4));
      assertEquals(PhotoException.Problem.UNDECODABLE, e.problem());
      assertTrue(e.getMessage().startsWith("cannot decode the"), e.getMessage());
      assertTrue(!e.getMessage().contains("\n"), "one line: " + e.getMessage());
    }
  }

  @Test
  void aPhotoClaimingMorePixelsThanTheCapIsRefusedFromItsHeader() {
    // 60 bytes that claim 100,000 x 100,000 RGB pixels: 30 GB if decoded.
    byte[] bomb = pngHeader(100_000, 100_000);

    var e = assertThrows(PhotoException.class, () -> PhotoFiles.fit(bomb, 3, 4, 4));

    assertEquals(PhotoException.Problem.TOO_LARGE, e.problem());
    assertTrue(e.getMessage().contains("100000x100000"), e.getMessage());
    assertEquals(
        PhotoException.Problem.TOO_LARGE,
        assertThrows(
                PhotoException.class,
                () -> PhotoFiles.decode(PhotoFiles.png(new byte[300], 3, 10, 10), 99))
            .problem());
  }

  /** A PNG signature and IHDR chunk (8-bit RGB) with a valid CRC, then IEND: no pixel data. */
  static byte[] pngHeader(int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    chunk(out, "IHDR", ihdr.array());
    chunk(out, "IEND", new byte[0]);
    return out.toByteArray();
  }

  private static void chunk(ByteArrayOutputStream out, String type, byte[] data) {
    byte[] name = type.getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt(data.length).array());
    out.writeBytes(name);
    out.writeBytes(data);
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
  }

  static byte[] jpeg(BufferedImage image) throws IOException {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "jpeg", out), "a JPEG writer");
    return out.toByteArray();
  }

  private static BufferedImage solid(int width, int height, int rgb, int type) {
    BufferedImage image = new BufferedImage(width, height, type);
    if (type == BufferedImage.TYPE_INT_RGB) {
      for (int y = 0; y < height; y++) {
        for (int x = 0; x < width; x++) {
          image.setRGB(x, y, rgb);
        }
      }
    }
    return image;
  }

  private static void assertNear(byte[] values, int from, int to, int expected) {
    for (int i = from; i < to; i++) {
      int v = values[i] & 0xFF;
      assertTrue(Math.abs(v - expected) <= 4, "value " + i + " is " + v + ", not ~" + expected);
    }
  }
}
