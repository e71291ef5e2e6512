package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

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
  void anImageWithoutDarkBackgroundScoresZero() {
    float[] grey = new float[16];
    Arrays.fill(grey, 0.5f);
    grey[5] = 0.9f;
    assertArrayEquals(new float[] {0f}, BackgroundSpeckle.scores(grey, 1, 1, 4, 4), 0f);
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
      // half black background with some PGD-like noise, half object
      pixels[i] =
          random.nextBoolean()
              ? Math.max(0f, (float) random.nextGaussian() * 0.02f)
              : random.nextFloat();
    }
    float[] expected = new float[count];
    for (int n = 0; n < count; n++) {
      int background = 0;
      int speckled = 0;
      for (int p = 0; p < planes; p++) {
        int base = (n * planes + p) * h * w;
        for (int r = 0; r < h; r++) {
          for (int c = 0; c < w; c++) {
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
            if (window[4] <= 0.05f) {
              background++;
              if (Math.abs(pixels[base + r * w + c] - window[4]) > 1.5f / 255) {
                speckled++;
              }
            }
          }
        }
      }
      expected[n] = background == 0 ? 0f : (float) speckled / background;
    }
    assertArrayEquals(expected, BackgroundSpeckle.scores(pixels, count, planes, h, w), 1e-7f);
  }
}
