package io.advrank.console;

import io.advrank.core.data.PhotoException;
import io.advrank.core.data.PhotoFiles;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.wire.PixelCodec;

/**
 * Images as the page shows them: PNG files, small images (28×28 Fashion-MNIST) scaled up by an
 * integer factor with nearest-neighbour so each pixel stays a sharp square, and the perturbation of
 * an attack amplified to be visible: {@code (adversarial − original) / (2ε) + 0.5}, grey 0.5 where
 * nothing changed and black or white at ±ε.
 */
final class Thumbnails {
  /** Images are scaled up until their longer side is at least this many pixels. */
  static final int MIN_SIDE = 112;

  private Thumbnails() {}

  /** Channel, height and width of an image tensor. */
  record Shape(int channels, int height, int width) {
    static Shape of(Pixels p) {
      return new Shape(p.getChannels(), p.getHeight(), p.getWidth());
    }

    int size() {
      return channels * height * width;
    }
  }

  /**
   * {@code pixels} as a PNG at {@code shape}: tensors as they are (their shape must match), photo
   * files fitted to {@code shape} exactly as the services read them ({@link PhotoFiles#fit}).
   *
   * @throws IllegalArgumentException if the image does not decode or fit
   */
  static byte[] png(Pixels pixels, Shape shape) {
    return png(values(pixels, shape), shape);
  }

  /** An image of its own shape; a photo file at the shape its header gives. */
  static byte[] png(Pixels pixels) {
    if (pixels.getDataCase() == Pixels.DataCase.ENCODED) {
      byte[] data = pixels.getEncoded().getData().toByteArray();
      try {
        var image = PhotoFiles.decode(data, PhotoFiles.MAX_PIXELS);
        int channels = pixels.getChannels() == 1 ? 1 : 3;
        return png(pixels, fitted(channels, image.getHeight(), image.getWidth()));
      } catch (PhotoException e) {
        throw new IllegalArgumentException("photo does not decode: " + e.getMessage(), e);
      }
    }
    return png(pixels, Shape.of(pixels));
  }

  /**
   * The perturbation {@code adversarial − original}, amplified to {@code d / (2ε) + 0.5} and
   * clipped to [0, 1], as a PNG at the adversarial image's shape.
   */
  static byte[] perturbation(Pixels original, Pixels adversarial, float epsilon) {
    Shape shape = Shape.of(adversarial);
    float[] adv = values(adversarial, shape);
    float[] orig = values(original, shape);
    float scale = epsilon > 0 ? 1f / (2 * epsilon) : 1f;
    float[] out = new float[adv.length];
    for (int i = 0; i < out.length; i++) {
      out[i] = Math.max(0f, Math.min(1f, (adv[i] - orig[i]) * scale + 0.5f));
    }
    return png(out, shape);
  }

  /** The largest |adversarial − original| (the L∞ the page reports next to the spec's ε). */
  static float linf(Pixels original, Pixels adversarial) {
    Shape shape = Shape.of(adversarial);
    float[] adv = values(adversarial, shape);
    float[] orig = values(original, shape);
    float max = 0;
    for (int i = 0; i < adv.length; i++) {
      max = Math.max(max, Math.abs(adv[i] - orig[i]));
    }
    return max;
  }

  private static float[] values(Pixels pixels, Shape shape) {
    if (pixels.getDataCase() == Pixels.DataCase.ENCODED) {
      try {
        byte[] fitted =
            PhotoFiles.fit(
                pixels.getEncoded().getData().toByteArray(),
                shape.channels(),
                shape.height(),
                shape.width());
        float[] out = new float[fitted.length];
        for (int i = 0; i < out.length; i++) {
          out[i] = (fitted[i] & 0xFF) / 255f;
        }
        return out;
      } catch (PhotoException e) {
        throw new IllegalArgumentException("photo does not decode: " + e.getMessage(), e);
      }
    }
    if (!Shape.of(pixels).equals(shape)) {
      throw new IllegalArgumentException(
          "image of shape %s, expected %s".formatted(Shape.of(pixels), shape));
    }
    return PixelCodec.toFloats(pixels);
  }

  /** The photo's own size, cut down to at most 256 on its longer side for the page. */
  private static Shape fitted(int channels, int height, int width) {
    double cut = Math.min(1.0, 256.0 / Math.max(height, width));
    return new Shape(
        channels,
        Math.max(1, (int) Math.round(height * cut)),
        Math.max(1, (int) Math.round(width * cut)));
  }

  private static byte[] png(float[] values, Shape shape) {
    if (shape.channels() != 1 && shape.channels() != 3) {
      throw new IllegalArgumentException(
          "images of 1 or 3 channels are shown, not " + shape.channels());
    }
    int factor =
        Math.max(
            1,
            (MIN_SIDE + Math.max(shape.height(), shape.width()) - 1)
                / Math.max(shape.height(), shape.width()));
    int h = shape.height() * factor;
    int w = shape.width() * factor;
    byte[] planes = new byte[shape.channels() * h * w];
    for (int c = 0; c < shape.channels(); c++) {
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < w; x++) {
          float v = values[(c * shape.height() + y / factor) * shape.width() + x / factor];
          planes[(c * h + y) * w + x] = (byte) Math.round(Math.max(0f, Math.min(1f, v)) * 255f);
        }
      }
    }
    return PhotoFiles.png(planes, shape.channels(), h, w);
  }
}
