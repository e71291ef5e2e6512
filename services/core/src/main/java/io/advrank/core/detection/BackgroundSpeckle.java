package io.advrank.core.detection;

/**
 * An image statistic, no model: the share of an image's flat dark or white background that is
 * speckled. A pixel is background when the median of its 3×3 neighbourhood (borders replicated) is
 * at most {@value #DARK} or at least 1 − {@value #DARK} (a black or a white studio background), and
 * speckled when it differs from that median by more than {@value #SPECKLE} (1.5/255: two or more
 * grey levels of an 8-bit photo). The score is speckled ÷ background pixels, counted over every
 * channel; NaN for a photo without such a background (textured, mid-tone): the statistic says
 * nothing about it, and {@link FeatureSqueeze} counts how many photos it covered. Which of the two
 * a photo has is read off its outer ring of pixels, and only flat regions of that kind count.
 *
 * <p>Why: PGD perturbs every pixel by up to ±ε with signed gradient steps, and flat backgrounds of
 * product photos show it; clean photos in 8-bit rarely deviate from their neighbourhood there by
 * more than one grey level. At the extremes the clipping to [0, 1] keeps the neighbourhood's median
 * at the background level under any ε, so the background is still found in an attacked photo. On
 * the shipped model (Fashion-MNIST test images, thresholds at the 99th percentile of benign ones)
 * it flagged 0.90–1.0 of CA± and SP-QA± examples at every ε from 0.01 to 0.3, where 4-bit squeezing
 * flags 0.42–0.78 at ε 0.3. It is specific to the data, and an attacker who knows it can confine
 * the perturbation to the object; that is why it is one score among the squeezers, never the only
 * one.
 */
final class BackgroundSpeckle {
  static final float DARK = 0.05f;
  static final float LIGHT = 1 - DARK;
  static final float SPECKLE = 1.5f / 255;

  private BackgroundSpeckle() {}

  /**
   * The score of each of the {@code count} images of {@code planes} planes of height×width; NaN for
   * an image without a flat dark or white background.
   */
  static float[] scores(float[] pixels, int count, int planes, int height, int width) {
    int plane = height * width;
    float[] out = new float[count];
    float[] window = new float[9];
    for (int i = 0; i < count; i++) {
      int kind = backgroundKind(pixels, i, planes, height, width, window);
      int background = 0;
      int speckled = 0;
      for (int p = 0; p < planes && kind != 0; p++) {
        int base = (i * planes + p) * plane;
        for (int r = 0; r < height; r++) {
          for (int c = 0; c < width; c++) {
            float median = flatMedian3x3(pixels, base, height, width, r, c, window);
            if (!Float.isNaN(median) && (median <= DARK) == (kind < 0)) {
              background++;
              if (Math.abs(pixels[base + r * width + c] - median) > SPECKLE) {
                speckled++;
              }
            }
          }
        }
      }
      out[i] = background == 0 ? Float.NaN : (float) speckled / background;
    }
    return out;
  }

  /**
   * Which background image {@code i} has, judged on its outer ring of pixels: −1 dark, +1 white, 0
   * neither (fewer than a tenth of the ring flat, e.g. texture). Only that kind of flat region
   * counts as background: the white interior of a garment on a black background is not one (on
   * Fashion-MNIST counting it lowered SP-QA+ recall at ε 0.3), nor a black shoe on a white one.
   */
  private static int backgroundKind(
      float[] pixels, int i, int planes, int height, int width, float[] window) {
    int plane = height * width;
    int dark = 0;
    int light = 0;
    int ring = 0;
    for (int p = 0; p < planes; p++) {
      int base = (i * planes + p) * plane;
      for (int r = 0; r < height; r++) {
        boolean edgeRow = r == 0 || r == height - 1;
        for (int c = 0; c < width; c += edgeRow ? 1 : Math.max(1, width - 1)) {
          ring++;
          float median = flatMedian3x3(pixels, base, height, width, r, c, window);
          if (median <= DARK) {
            dark++;
          } else if (median >= LIGHT) {
            light++;
          }
        }
      }
    }
    int enough = Math.max(1, ring / 10);
    if (dark >= light && dark >= enough) {
      return -1;
    }
    return light > dark && light >= enough ? 1 : 0;
  }

  /**
   * The median of the 3×3 neighbourhood when it is at most {@link #DARK} or at least {@link
   * #LIGHT}, else NaN.
   */
  private static float flatMedian3x3(
      float[] pixels, int base, int height, int width, int r, int c, float[] window) {
    int k = 0;
    int dark = 0;
    int light = 0;
    for (int dr = -1; dr <= 1; dr++) {
      int row = Math.min(height - 1, Math.max(0, r + dr)) * width;
      for (int dc = -1; dc <= 1; dc++) {
        float v = pixels[base + row + Math.min(width - 1, Math.max(0, c + dc))];
        window[k++] = v;
        if (v <= DARK) {
          dark++;
        } else if (v >= LIGHT) {
          light++;
        }
      }
    }
    // The median of nine is at most DARK exactly when five or more are (at least LIGHT likewise):
    // sort only then.
    return dark >= 5 || light >= 5 ? medianOfNine(window) : Float.NaN;
  }

  /** Paeth's 19-exchange network (Graphics Gems, 1990): the median ends in slot 4. */
  static float medianOfNine(float[] w) {
    sort(w, 1, 2);
    sort(w, 4, 5);
    sort(w, 7, 8);
    sort(w, 0, 1);
    sort(w, 3, 4);
    sort(w, 6, 7);
    sort(w, 1, 2);
    sort(w, 4, 5);
    sort(w, 7, 8);
    sort(w, 0, 3);
    sort(w, 5, 8);
    sort(w, 4, 7);
    sort(w, 3, 6);
    sort(w, 1, 4);
    sort(w, 2, 5);
    sort(w, 4, 7);
    sort(w, 4, 2);
    sort(w, 6, 4);
    sort(w, 4, 2);
    return w[4];
  }

  private static void sort(float[] w, int a, int b) {
    if (w[a] > w[b]) {
      float t = w[a];
      w[a] = w[b];
      w[b] = t;
    }
  }
}
