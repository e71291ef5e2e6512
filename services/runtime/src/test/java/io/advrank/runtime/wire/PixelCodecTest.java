package io.advrank.runtime.wire;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.advrank.proto.v1.PhotoFormat;
import io.advrank.proto.v1.Pixels;
import org.junit.jupiter.api.Test;

class PixelCodecTest {

  @Test
  void decodesUint8AsValueOver255() {
    Pixels pixels = PixelCodec.fromUint8(1, 1, 3, new byte[] {0, (byte) 255, (byte) 51});

    assertArrayEquals(new float[] {0f, 1f, 0.2f}, PixelCodec.toFloats(pixels), 1e-6f);
  }

  @Test
  void float32RoundTripIsExact() {
    float[] values = {0f, 1f, 0.1234567f, Math.nextUp(0.5f), 1f / 3f, 0.003921569f};

    Pixels pixels = PixelCodec.fromFloats(1, 2, 3, values);

    assertEquals(Pixels.DataCase.FLOAT32_LE, pixels.getDataCase());
    assertEquals(24, pixels.getFloat32Le().size());
    assertArrayEquals(values, PixelCodec.toFloats(pixels));
  }

  @Test
  void rejectsDataThatDoesNotMatchTheShape() {
    Pixels wrong =
        Pixels.newBuilder()
            .setChannels(1)
            .setHeight(28)
            .setWidth(28)
            .setUint8(ByteString.copyFrom(new byte[10]))
            .build();

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PixelCodec.toFloats(wrong));

    assertTrue(e.getMessage().contains("needs 784 bytes of uint8, got 10"), e.getMessage());
  }

  @Test
  void rejectsMissingDataAndBadShapes() {
    Pixels empty = Pixels.newBuilder().setChannels(1).setHeight(1).setWidth(1).build();

    assertThrows(IllegalArgumentException.class, () -> PixelCodec.toFloats(empty));
    assertThrows(
        IllegalArgumentException.class, () -> PixelCodec.fromFloats(1, 2, 2, new float[3]));
    assertThrows(IllegalArgumentException.class, () -> PixelCodec.fromUint8(0, 1, 1, new byte[0]));
  }

  @Test
  void eightBitFloatsBecomeTheirBytesExactly() {
    float[] values = new float[256];
    for (int k = 0; k < 256; k++) {
      values[k] = k / 255f;
    }

    Pixels pixels = PixelCodec.fromUint8Floats(1, 16, 16, values);

    assertEquals(Pixels.DataCase.UINT8, pixels.getDataCase());
    for (int k = 0; k < 256; k++) {
      assertEquals(k, pixels.getUint8().byteAt(k) & 0xFF);
    }
    assertArrayEquals(values, PixelCodec.toFloats(pixels));
    assertThrows(
        IllegalArgumentException.class,
        () -> PixelCodec.fromUint8Floats(1, 1, 1, new float[] {1.5f}));
  }

  @Test
  void anEncodedPhotoKeepsItsBytesAndHasNoTensorToRead() {
    byte[] file = {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1};

    Pixels pixels = PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_JPEG, file);

    assertEquals(Pixels.DataCase.ENCODED, pixels.getDataCase());
    assertArrayEquals(file, pixels.getEncoded().getData().toByteArray());
    var e = assertThrows(IllegalArgumentException.class, () -> PixelCodec.toFloats(pixels));
    assertTrue(e.getMessage().contains("encoded photo"), e.getMessage());
  }
}
