package io.advrank.runtime.wire;

import com.google.protobuf.ByteString;
import io.advrank.proto.v1.Pixels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Converts between the wire {@link Pixels} message and the {@code float[]} in [0, 1] that models
 * consume, so no service decodes pixel bytes by hand.
 *
 * <p>Clean images travel as {@code uint8} (value = byte / 255); adversarial images as {@code
 * float32_le} so the perturbation arrives exactly (see {@code proto/README.md}).
 */
public final class PixelCodec {
  private PixelCodec() {}

  /**
   * The values of {@code pixels}, row-major (channel, row, column), in [0, 1].
   *
   * @throws IllegalArgumentException if no data is set or its size does not match the shape
   */
  public static float[] toFloats(Pixels pixels) {
    int count = valueCount(pixels);
    switch (pixels.getDataCase()) {
      case UINT8 -> {
        ByteString bytes = pixels.getUint8();
        requireSize(bytes.size(), count, 1, pixels);
        float[] out = new float[count];
        for (int i = 0; i < count; i++) {
          out[i] = (bytes.byteAt(i) & 0xFF) / 255f;
        }
        return out;
      }
      case FLOAT32_LE -> {
        ByteString bytes = pixels.getFloat32Le();
        requireSize(bytes.size(), count, Float.BYTES, pixels);
        float[] out = new float[count];
        bytes.asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(out);
        return out;
      }
      default ->
          throw new IllegalArgumentException("pixels carry no data (neither uint8 nor float32_le)");
    }
  }

  /** Exact float32 encoding of {@code values} (row-major, length channels × height × width). */
  public static Pixels fromFloats(int channels, int height, int width, float[] values) {
    Pixels.Builder shape = shape(channels, height, width, values.length);
    ByteBuffer buffer =
        ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    buffer.asFloatBuffer().put(values);
    return shape.setFloat32Le(ByteString.copyFrom(buffer.array())).build();
  }

  /** 8-bit encoding of {@code values} (row-major, length channels × height × width). */
  public static Pixels fromUint8(int channels, int height, int width, byte[] values) {
    return shape(channels, height, width, values.length)
        .setUint8(ByteString.copyFrom(values))
        .build();
  }

  private static Pixels.Builder shape(int channels, int height, int width, int length) {
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "pixel shape must be positive, got %dx%dx%d".formatted(channels, height, width));
    }
    if ((long) channels * height * width != length) {
      throw new IllegalArgumentException(
          "shape %dx%dx%d needs %d values, got %d"
              .formatted(channels, height, width, (long) channels * height * width, length));
    }
    return Pixels.newBuilder().setChannels(channels).setHeight(height).setWidth(width);
  }

  private static int valueCount(Pixels pixels) {
    long count = (long) pixels.getChannels() * pixels.getHeight() * pixels.getWidth();
    if (count <= 0 || count > Integer.MAX_VALUE / Float.BYTES) {
      throw new IllegalArgumentException(
          "bad pixel shape %dx%dx%d"
              .formatted(pixels.getChannels(), pixels.getHeight(), pixels.getWidth()));
    }
    return (int) count;
  }

  private static void requireSize(int actual, int count, int bytesPerValue, Pixels pixels) {
    if (actual != count * bytesPerValue) {
      throw new IllegalArgumentException(
          "shape %dx%dx%d needs %d bytes of %s, got %d"
              .formatted(
                  pixels.getChannels(),
                  pixels.getHeight(),
                  pixels.getWidth(),
                  count * bytesPerValue,
                  pixels.getDataCase().name().toLowerCase(Locale.ROOT),
                  actual));
    }
  }
}
