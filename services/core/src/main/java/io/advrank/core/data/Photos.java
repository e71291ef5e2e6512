package io.advrank.core.data;

import java.awt.color.ColorSpace;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;

/**
 * Brings a photo of any size to a model's input, as torchvision's {@code Resize(side)} followed by
 * {@code CenterCrop} would: scaled (aspect ratio kept) until it covers the target, then the centre
 * cut out, as 8-bit planes (grey, or R, G, B) in channel-major order.
 *
 * <p>Large downscales first halve the image with 2×2 box filters while it is at least twice the
 * target, then finish with a bilinear step, so a 4000-pixel photo does not alias into noise as a
 * single bilinear step would.
 */
public final class Photos {
  private Photos() {}

  /**
   * The photo as {@code channels × height × width} bytes (channels 1: Rec. 601 luma; 3: RGB, grey
   * photos expanded); alpha is ignored.
   */
  public static byte[] fit(BufferedImage image, int channels, int height, int width) {
    Plane[] planes = planes(image, channels);
    byte[] out = new byte[channels * height * width];
    for (int c = 0; c < channels; c++) {
      float[] fitted = cover(planes[c], height, width);
      for (int i = 0; i < fitted.length; i++) {
        out[c * fitted.length + i] = (byte) Math.round(Math.max(0f, Math.min(255f, fitted[i])));
      }
    }
    return out;
  }

  /** One channel of an image, in [0,255]. */
  record Plane(float[] values, int height, int width) {}

  /** Scaled to cover {@code height × width} with the aspect ratio kept, then centre-cropped. */
  static float[] cover(Plane p, int height, int width) {
    double scale = Math.max((double) height / p.height(), (double) width / p.width());
    int h = Math.max(height, (int) Math.round(p.height() * scale));
    int w = Math.max(width, (int) Math.round(p.width() * scale));
    while (p.height() >= 2 * h && p.width() >= 2 * w) {
      p = halve(p);
    }
    float[] resized =
        p.height() == h && p.width() == w
            ? p.values()
            : bilinear(p.values(), p.height(), p.width(), h, w);
    if (h == height && w == width) {
      return resized;
    }
    float[] out = new float[height * width];
    int top = (h - height) / 2;
    int left = (w - width) / 2;
    for (int y = 0; y < height; y++) {
      System.arraycopy(resized, (top + y) * w + left, out, y * width, width);
    }
    return out;
  }

  /** 2×2 box filter: each output pixel is the mean of four (an odd last row/column is dropped). */
  static Plane halve(Plane p) {
    int h = p.height() / 2;
    int w = p.width() / 2;
    float[] src = p.values();
    float[] out = new float[h * w];
    for (int y = 0; y < h; y++) {
      int r0 = 2 * y * p.width();
      int r1 = r0 + p.width();
      for (int x = 0; x < w; x++) {
        out[y * w + x] =
            (src[r0 + 2 * x] + src[r0 + 2 * x + 1] + src[r1 + 2 * x] + src[r1 + 2 * x + 1]) / 4f;
      }
    }
    return new Plane(out, h, w);
  }

  /** The image as {@code channels} planes of floats in [0,255] (grey, or R, G, B). */
  static Plane[] planes(BufferedImage image, int channels) {
    int h = image.getHeight();
    int w = image.getWidth();
    float[][] values = new float[channels][h * w];
    Raster raster = image.getRaster();
    // Grey images are read from the raster directly: getRGB() would push them through a
    // linear-grey to sRGB conversion and brighten them. Palette images need getRGB().
    boolean rawGrey =
        image.getColorModel().getColorSpace().getType() == ColorSpace.TYPE_GRAY
            && !(image.getColorModel() instanceof IndexColorModel);
    float scale = rawGrey ? 255f / ((1 << raster.getSampleModel().getSampleSize(0)) - 1) : 1f;
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        if (rawGrey) {
          float v = raster.getSample(x, y, 0) * scale;
          for (float[] plane : values) {
            plane[i] = v;
          }
          continue;
        }
        int rgb = image.getRGB(x, y);
        float r = rgb >> 16 & 0xFF;
        float g = rgb >> 8 & 0xFF;
        float b = rgb & 0xFF;
        if (channels == 1) {
          values[0][i] = 0.299f * r + 0.587f * g + 0.114f * b;
        } else {
          values[0][i] = r;
          values[1][i] = g;
          values[2][i] = b;
        }
      }
    }
    Plane[] planes = new Plane[channels];
    for (int c = 0; c < channels; c++) {
      planes[c] = new Plane(values[c], h, w);
    }
    return planes;
  }

  /** Bilinear resize with pixel centres aligned (as PIL and OpenCV do), edges clamped. */
  static float[] bilinear(float[] src, int srcH, int srcW, int dstH, int dstW) {
    float[] dst = new float[dstH * dstW];
    float sy = (float) srcH / dstH;
    float sx = (float) srcW / dstW;
    for (int y = 0; y < dstH; y++) {
      float fy = Math.max(0f, Math.min(srcH - 1f, (y + 0.5f) * sy - 0.5f));
      int y0 = (int) fy;
      int y1 = Math.min(y0 + 1, srcH - 1);
      float wy = fy - y0;
      for (int x = 0; x < dstW; x++) {
        float fx = Math.max(0f, Math.min(srcW - 1f, (x + 0.5f) * sx - 0.5f));
        int x0 = (int) fx;
        int x1 = Math.min(x0 + 1, srcW - 1);
        float wx = fx - x0;
        float top = src[y0 * srcW + x0] * (1 - wx) + src[y0 * srcW + x1] * wx;
        float bottom = src[y1 * srcW + x0] * (1 - wx) + src[y1 * srcW + x1] * wx;
        dst[y * dstW + x] = top * (1 - wy) + bottom * wy;
      }
    }
    return dst;
  }
}
