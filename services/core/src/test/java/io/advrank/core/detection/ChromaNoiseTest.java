package io.advrank.core.detection;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;

class ChromaNoiseTest {
  private static final int SIDE = 32;
  private static final int PLANE = SIDE * SIDE;

  /**
   * A textured photo in 8-bit: a mid-tone colour, a brightness ramp and a strong grain (σ 12 grey
   * levels) that every channel shares, as light and texture do; a garment in another colour in the
   * middle.
   */
  private static float[] texturedPhoto(Random random) {
    float[] rgb = new float[3 * PLANE];
    float[] base = {0.5f, 0.55f, 0.4f};
    float[] garment = {0.8f, 0.2f, 0.3f};
    for (int r = 0; r < SIDE; r++) {
      for (int c = 0; c < SIDE; c++) {
        float grain = (float) random.nextGaussian() * 12 / 255 + (c - SIDE / 2) / 255f;
        boolean inside = Math.abs(r - SIDE / 2) < 8 && Math.abs(c - SIDE / 2) < 8;
        for (int p = 0; p < 3; p++) {
          float v = (inside ? garment[p] : base[p]) + grain;
          rgb[p * PLANE + r * SIDE + c] = Math.round(Math.min(1, Math.max(0, v)) * 255) / 255f;
        }
      }
    }
    return rgb;
  }

  /** What PGD's signed steps leave at ε: ±ε per pixel and channel, signs independent, 8-bit. */
  private static float[] signNoise(float[] photo, float eps, Random random) {
    float[] out = photo.clone();
    for (int i = 0; i < out.length; i++) {
      float v = out[i] + (random.nextBoolean() ? eps : -eps);
      out[i] = Math.round(Math.min(1, Math.max(0, v)) * 255) / 255f;
    }
    return out;
  }

  @Test
  void aTexturedPhotoIsQuietInColourAndSignNoiseIsNot() {
    Random random = new Random(7);
    float[] clean = texturedPhoto(random);
    float[] attacked = signNoise(clean, 4f / 255, random);
    float quiet = ChromaNoise.scores(clean, 1, 3, SIDE, SIDE)[0];
    float noisy = ChromaNoise.scores(attacked, 1, 3, SIDE, SIDE)[0];
    // The grain moves the channels together: only the garment's outline changes colour.
    assertTrue(quiet < 0.1, "clean share " + quiet);
    // Independent signs: a colour difference is unchanged for half the pixels, 2ε off for the rest.
    assertTrue(noisy > 0.4, "attacked share " + noisy);
    // The grain alone is far louder in brightness than the attack is: the brightness-based
    // speckle statistic sees no flat background here at all.
    assertTrue(Float.isNaN(BackgroundSpeckle.scores(attacked, 1, 3, SIDE, SIDE)[0]));
  }

  @Test
  void greyNoiseAddedToEveryChannelAlikeIsNotColourNoise() {
    Random random = new Random(8);
    float[] photo = texturedPhoto(random);
    float[] grey = photo.clone();
    for (int k = 0; k < PLANE; k++) {
      float step = random.nextBoolean() ? 4f / 255 : -4f / 255;
      for (int p = 0; p < 3; p++) {
        grey[p * PLANE + k] += step;
      }
    }
    // Said plainly in ChromaNoise's documentation: an attacker confined to grey steps evades it.
    assertEquals(
        ChromaNoise.scores(photo, 1, 3, SIDE, SIDE)[0],
        ChromaNoise.scores(grey, 1, 3, SIDE, SIDE)[0],
        0.02);
  }

  @Test
  void saysNothingAboutGreyImages() {
    assertTrue(Float.isNaN(ChromaNoise.scores(new float[2 * PLANE], 2, 1, SIDE, SIDE)[1]));
  }

  @Test
  void scoresEachImageOfABatchOnItsOwn() {
    Random random = new Random(9);
    float[] clean = texturedPhoto(random);
    float[] attacked = signNoise(clean, 4f / 255, random);
    float[] both = new float[2 * clean.length];
    System.arraycopy(attacked, 0, both, 0, clean.length);
    System.arraycopy(clean, 0, both, clean.length, clean.length);
    float[] scores = ChromaNoise.scores(both, 2, 3, SIDE, SIDE);
    assertEquals(ChromaNoise.scores(attacked, 1, 3, SIDE, SIDE)[0], scores[0]);
    assertEquals(ChromaNoise.scores(clean, 1, 3, SIDE, SIDE)[0], scores[1]);
  }

  @Test
  void countingNeighboursAgreesWithTheMedianDefinition() {
    Random random = new Random(11);
    for (int trial = 0; trial < 20; trial++) {
      float[] photo = signNoise(texturedPhoto(random), trial % 5 / 255f, random);
      assertEquals(
          byMedians(photo), ChromaNoise.scores(photo, 1, 3, SIDE, SIDE)[0], 0, "trial " + trial);
    }
  }

  /** The statistic as documented: |d − median3x3(d)| > NOISE over R − G and B − G. */
  private static float byMedians(float[] rgb) {
    int noisy = 0;
    float[] window = new float[9];
    for (int from : new int[] {0, 2 * PLANE}) {
      for (int r = 0; r < SIDE; r++) {
        for (int c = 0; c < SIDE; c++) {
          int k = 0;
          for (int dr = -1; dr <= 1; dr++) {
            for (int dc = -1; dc <= 1; dc++) {
              int p =
                  Math.min(SIDE - 1, Math.max(0, r + dr)) * SIDE
                      + Math.min(SIDE - 1, Math.max(0, c + dc));
              window[k++] = rgb[from + p] - rgb[PLANE + p];
            }
          }
          float d = rgb[from + r * SIDE + c] - rgb[PLANE + r * SIDE + c];
          if (Math.abs(d - BackgroundSpeckle.medianOfNine(window)) > ChromaNoise.NOISE) {
            noisy++;
          }
        }
      }
    }
    return (float) noisy / (2 * PLANE);
  }
}
