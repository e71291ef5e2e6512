package io.advrank.core.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BackgroundSpeckleTest {
  @Test
  void medianOfNineAgreesWithSorting() {
    Random random = new Random(3);
    for (int t = 0; t < 10_000; t++) {
      float[] w = new float[9];
      for (int i = 0; i < 9; i++) {
        w[i] = random.nextInt(4) / 3f; // many ties
      }
      float[] sorted = w.clone();
      Arrays.sort(sorted);
      assertEquals(sorted[4], BackgroundSpeckle.medianOfNine(w.clone()), Arrays.toString(w));
    }
  }

  @Test
  void countsIsolatedDeviationsOfTwoOrMoreGreyLevelsOnAFlatBackground() {
    float[] image = new float[36]; // 6×6, black
    image[1 * 6 + 1] = 0.02f; // 5 grey levels: speckle
    image[4 * 6 + 4] = 2f / 255; // 2 grey levels: speckle
    image[1 * 6 + 4] = 1f / 255; // 1 grey level: camera rounding, not speckle
    // Every pixel's 3×3 median stays 0, so all 36 are background and 2 are speckled.
    assertArrayEquals(new float[] {2f / 36}, BackgroundSpeckle.scores(image, 1, 1, 6, 6), 1e-7f);
  }

  @Test
  void aWhiteBackgroundIsFoundAndSpeckledLikeADarkOne() {
    float[] image = new float[36]; // 6×6, white, as product photos often are
    Arrays.fill(image, 1f);
    image[1 * 6 + 1] = 1f - 0.02f; // 5 grey levels: speckle
    image[4 * 6 + 4] = 1f - 1f / 255; // 1 grey level: camera rounding, not speckle
    assertArrayEquals(new float[] {1f / 36}, BackgroundSpeckle.scores(image, 1, 1, 6, 6), 1e-7f);
  }

  @Test
  void anAttackedWhiteBackgroundIsStillFoundThanksToClipping() {
    // ±ε signed noise on a white background: the + half clips at 1, so the neighbourhood's
    // median stays 1 wherever five of nine pixels were pushed up (here: every other row).
    float[] image = new float[64];
    for (int i = 0; i < image.length; i++) {
      image[i] = (i / 8) % 2 == 0 || i % 3 == 0 ? 1f : 1f - 8f / 255;
    }
    float score = BackgroundSpeckle.scores(image, 1, 1, 8, 8)[0];
    assertTrue(score > 0.3f, "speckled share " + score);
  }

  @Test
  void anImageWithoutAFlatDarkOrWhiteBackgroundIsNotScored() {
    float[] grey = new float[16]; // mid-tone: a textured or coloured background
    Arrays.fill(grey, 0.5f);
    grey[5] = 0.9f;
    assertTrue(Float.isNaN(BackgroundSpeckle.scores(grey, 1, 1, 4, 4)[0]));
  }

  @Test
  void agreesWithAPlainImplementationOnNoisyImagesWithObjects() {
    Random random = new Random(5);
    int count = 3;
    int planes = 2;
    int h = 9;
    int w = 7;
    float[] pixels = new float[count * planes * h * w];
    for (int i = 0; i < pixels.length; i++) {
      // black or white background with some PGD-like noise, or object
      float noise = Math.abs((float) random.nextGaussian() * 0.02f);
      int kind = random.nextInt(3);
      pixels[i] = kind == 0 ? noise : kind == 1 ? 1f - noise : random.nextFloat();
    }
    float[] expected = new float[count];
    for (int n = 0; n < count; n++) {
      // The background's kind from the outer ring's 3×3 medians: the more common flat extreme.
      int ringDark = 0;
      int ringLight = 0;
      int ring = 0;
      for (int p = 0; p < planes; p++) {
        for (int r = 0; r < h; r++) {
          for (int c = 0; c < w; c++) {
            if (r == 0 || r == h - 1 || c == 0 || c == w - 1) {
              ring++;
              float m = median3x3(pixels, (n * planes + p) * h * w, h, w, r, c);
              ringDark += m <= 0.05f ? 1 : 0;
              ringLight += m >= 0.95f ? 1 : 0;
            }
          }
        }
      }
      int enough = Math.max(1, ring / 10);
      int kind =
          ringDark >= ringLight && ringDark >= enough
              ? -1
              : ringLight > ringDark && ringLight >= enough ? 1 : 0;
      int background = 0;
      int speckled = 0;
      for (int p = 0; p < planes && kind != 0; p++) {
        int base = (n * planes + p) * h * w;
        for (int r = 0; r < h; r++) {
          for (int c = 0; c < w; c++) {
            float m = median3x3(pixels, base, h, w, r, c);
            if (kind < 0 ? m <= 0.05f : m >= 0.95f) {
              background++;
              if (Math.abs(pixels[base + r * w + c] - m) > 1.5f / 255) {
                speckled++;
              }
            }
          }
        }
      }
      expected[n] = background == 0 ? Float.NaN : (float) speckled / background;
    }
    assertArrayEquals(expected, BackgroundSpeckle.scores(pixels, count, planes, h, w), 1e-7f);
  }

  private static float median3x3(float[] pixels, int base, int h, int w, int r, int c) {
    float[] window = new float[9];
    int k = 0;
    for (int dr = -1; dr <= 1; dr++) {
      for (int dc = -1; dc <= 1; dc++) {
        int rr = Math.min(h - 1, Math.max(0, r + dr));
        int cc = Math.min(w - 1, Math.max(0, c + dc));
        window[k++] = pixels[base + rr * w + cc];
      }
    }
    Arrays.sort(window);
    return window[4];
  }

  @Test
  void onlyTheBackgroundsKindCounts() {
    // 8×8 black image with a flat white 4×4 patch in the middle (a white shirt's interior): the
    // background is black, so the patch's one grey-level-off pixel is not speckle of a background.
    float[] image = new float[64];
    for (int r = 2; r < 6; r++) {
      for (int c = 2; c < 6; c++) {
        image[r * 8 + c] = 1f;
      }
    }
    float[] clean = BackgroundSpeckle.scores(image, 1, 1, 8, 8);
    image[3 * 8 + 3] = 1f - 5f / 255;
    // (The patch's four corners sit in black neighbourhoods and count as speckle either way.)
    assertArrayEquals(clean, BackgroundSpeckle.scores(image, 1, 1, 8, 8), 0f);
    assertArrayEquals(new float[] {4f / 52}, clean, 1e-7f);
  }
}
