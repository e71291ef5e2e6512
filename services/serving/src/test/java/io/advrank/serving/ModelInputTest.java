package io.advrank.serving;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.data.PhotoFiles;
import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.PhotoFormat;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.wire.PixelCodec;
import io.advrank.runtime.wire.RejectedRecordException;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Every form of {@link Pixels} read at a model's input, and each refusal's dead-letter reason. */
class ModelInputTest {
  private static final ModelSpec RGB = ModelSpec.c2f1(3, 8, 8);

  @Test
  void aPngPhotoOfAnySizeIsFittedToTheModelsInput() throws Exception {
    byte[] planes = new byte[3 * 8 * 8];
    new Random(1).nextBytes(planes);
    byte[] png = PhotoFiles.png(planes, 3, 8, 8);

    float[] same = ModelInput.pixels(PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_PNG, png), RGB);
    float[] smaller =
        ModelInput.pixels(
            PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_UNSPECIFIED, png), ModelSpec.c2f1(3, 4, 4));

    assertArrayEquals(PixelCodec.toFloats(PixelCodec.fromUint8(3, 8, 8, planes)), same);
    assertEquals(3 * 4 * 4, smaller.length);
  }

  @Test
  void aGreyJpegIsExpandedToRgbAndAColourOneMadeGreyForAOneChannelModel() throws Exception {
    BufferedImage grey = new BufferedImage(30, 20, BufferedImage.TYPE_BYTE_GRAY);
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 30; x++) {
        grey.getRaster().setSample(x, y, 0, 200);
      }
    }
    Pixels photo = PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_JPEG, jpeg(grey));

    float[] rgb = ModelInput.pixels(photo, RGB);
    float[] one = ModelInput.pixels(photo, ModelSpec.c2f1(1, 8, 8));

    assertEquals(3 * 64, rgb.length);
    assertEquals(64, one.length);
    for (float v : rgb) {
      assertEquals(200 / 255f, v, 3 / 255f);
    }
  }

  @Test
  void tensorsMustStillHaveTheModelsShape() throws Exception {
    Pixels right = PixelCodec.fromUint8(3, 8, 8, new byte[192]);
    Pixels wrong = PixelCodec.fromUint8(3, 4, 4, new byte[48]);

    assertEquals(192, ModelInput.pixels(right, RGB).length);
    assertEquals(Reason.UNSUPPORTED, refused(wrong, RGB).reason());
  }

  @Test
  void undecodableOversizedAndMisdeclaredPhotosAreRefusedWithTheirReason() throws Exception {
    byte[] corrupt = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 0, 1, 2, 3, 4, 5};
    RejectedRecordException e =
        refused(PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_JPEG, corrupt), RGB);
    assertEquals(Reason.INVALID, e.reason());
    assertTrue(e.getMessage().startsWith("photo: cannot decode the JPEG file"), e.getMessage());

    e = refused(PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_PNG, bomb(100_000, 100_000)), RGB);
    assertEquals(Reason.INVALID, e.reason());
    assertTrue(e.getMessage().contains("over the limit"), e.getMessage());

    byte[] gif = "GIF89a".getBytes(StandardCharsets.US_ASCII);
    assertEquals(
        Reason.UNSUPPORTED,
        refused(PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_UNSPECIFIED, gif), RGB).reason());
    Pixels webp =
        PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_UNSPECIFIED, gif).toBuilder()
            .setEncoded(
                PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_UNSPECIFIED, gif)
                    .getEncoded()
                    .toBuilder()
                    .setFormatValue(3))
            .build();
    assertEquals(Reason.UNSUPPORTED, refused(webp, RGB).reason());

    byte[] png = PhotoFiles.png(new byte[192], 3, 8, 8);
    e = refused(PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_JPEG, png), RGB);
    assertEquals(Reason.INVALID, e.reason());
    assertEquals("photo declared JPEG but its bytes are PNG", e.getMessage());
    assertEquals(
        Reason.UNSUPPORTED,
        refused(PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_PNG, png), ModelSpec.c2f1(2, 8, 8))
            .reason());
  }

  private static RejectedRecordException refused(Pixels pixels, ModelSpec spec) {
    return assertThrows(RejectedRecordException.class, () -> ModelInput.pixels(pixels, spec));
  }

  private static byte[] jpeg(BufferedImage image) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    assertTrue(ImageIO.write(image, "jpeg", out));
    return out.toByteArray();
  }

  /** A PNG header claiming {@code width × height} RGB pixels, with no pixel data. */
  static byte[] bomb(int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    byte[] name = "IHDR".getBytes(StandardCharsets.US_ASCII);
    CRC32 crc = new CRC32();
    crc.update(name);
    crc.update(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
    out.writeBytes(name);
    out.writeBytes(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }
}
