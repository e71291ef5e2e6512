package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FeatureSqueezeTest {
  @Test
  void reducesToSixteenLevelsAndRoundsAwayASmallPerturbation() {
    float[] clean = {0f, 1f, 7f / 15, 0.5f};
    float[] perturbed = {0.03f, 0.97f, 7f / 15 + 0.03f, 0.5f - 0.02f};

    float[] squeezedClean = FeatureSqueeze.reduceBitDepth(clean);
    float[] squeezedPerturbed = FeatureSqueeze.reduceBitDepth(perturbed);

    assertArrayEquals(new float[] {0f, 1f, 7f / 15, 8f / 15}, squeezedClean, 1e-6f);
    // 0.5 sits half-way between 7/15 and 8/15; the perturbed copy lands on the level below.
    assertArrayEquals(new float[] {0f, 1f, 7f / 15, 7f / 15}, squeezedPerturbed, 1e-6f);
  }

  @Test
  void clampsOutOfRangeValues() {
    assertArrayEquals(
        new float[] {0f, 1f}, FeatureSqueeze.reduceBitDepth(new float[] {-0.2f, 1.3f}), 1e-6f);
  }

  @Test
  void rejectsAnEmptyShape() {
    assertThrows(IllegalArgumentException.class, () -> new FeatureSqueeze(1, 0, 28));
  }
}
