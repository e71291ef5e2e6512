package io.advrank.runtime.wire;

import com.google.protobuf.ByteString;
import io.advrank.proto.v1.EncodedPhoto;
import io.advrank.proto.v1.PhotoFormat;
import io.advrank.proto.v1.Pixels;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Locale;

/**
 * Converts between the wire {@link Pixels} message and the {@code float[]} in [0, 1] that models
 * consume, so no service decodes pixel bytes by hand.
 *
 * <p>Clean images travel as {@code uint8} (value = byte / 255) or as the uploader's PNG/JPEG file
 * ({@code encoded}); adversarial images as {@code uint8} at the model's input, the 8-bit file a
 * seller would upload (see {@code proto/README.md}). Tensors are converted here; a photo file has
 * no fixed shape and is decoded and fitted to a model's input by {@code
 * io.advrank.serving.ModelInput}, which needs the model.
 */
public final class PixelCodec {
  private PixelCodec() {}

  /**
   * The values of {@code pixels}, row-major (channel, row, column), in [0, 1].
   *
   * @throws IllegalArgumentException if no data is set, its size does not match the shape, or it is
   *     an encoded photo (which has no fixed shape)
   */
  public static float[] toFloats(Pixels pixels) {
    if (pixels.getDataCase() == Pixels.DataCase.ENCODED) {
      throw new IllegalArgumentException(
          "an encoded photo has no fixed shape: decode it at a model's input"
              + " (io.advrank.serving.ModelInput)");
    }
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
          throw new IllegalArgumentException(
              "pixels carry no data (none of uint8, float32_le, encoded)");
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

  /**
   * 8-bit encoding of {@code values} that lie on the 8-bit grid (k/255, as an adversarial image
   * quantised by the attacker does): each is rounded to the nearest k, which restores k exactly.
   *
   * @throws IllegalArgumentException if a value is outside [0, 1] or the shape does not match
   */
  public static Pixels fromUint8Floats(int channels, int height, int width, float[] values) {
    byte[] bytes = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      if (!(values[i] >= 0f && values[i] <= 1f)) {
        throw new IllegalArgumentException("value " + i + " is " + values[i] + ", outside [0, 1]");
      }
      bytes[i] = (byte) Math.round(values[i] * 255f);
    }
    return fromUint8(channels, height, width, bytes);
  }

  /**
   * A photo file as uploaded; its size is left unstated (0), readers take it from the file.
   *
   * @param format the declared format, or {@code PHOTO_FORMAT_UNSPECIFIED} to let readers sniff
   */
  public static Pixels encoded(PhotoFormat format, byte[] file) {
    return Pixels.newBuilder()
        .setEncoded(EncodedPhoto.newBuilder().setFormat(format).setData(ByteString.copyFrom(file)))
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
