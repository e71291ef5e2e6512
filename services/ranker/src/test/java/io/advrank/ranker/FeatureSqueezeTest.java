package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class FeatureSqueezeTest {
  @Test
  void medianFilterRemovesAnIsolatedSpikeAndKeepsFlatRegions() {
    FeatureSqueeze squeeze = new FeatureSqueeze(1, 3, 3);
    float[] image = {0.5f, 0.5f, 0.5f, 0.5f, 1f, 0.5f, 0.5f, 0.5f, 0.5f};

    float[] out = squeeze.medianFilter(image, 1);

    assertArrayEquals(new float[] {0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f, 0.5f}, out);
  }

  @Test
  void medianOfFourIsTheMeanOfTheMiddleTwoPerImage() {
    FeatureSqueeze squeeze = new FeatureSqueeze(1, 2, 2);
    float[] twoImages = {0f, 0.2f, 0.4f, 1f, 1f, 1f, 1f, 1f};

    float[] out = squeeze.medianFilter(twoImages, 2);

    // image 1, pixel (0,0): window {0, .2, .4, 1} -> (.2 + .4) / 2; the last pixel sees only itself
    assertEquals(0.3f, out[0], 1e-6);
    assertEquals(1f, out[3], 1e-6);
    assertArrayEquals(new float[] {1f, 1f, 1f, 1f}, java.util.Arrays.copyOfRange(out, 4, 8));
  }

  @Test
  void rejectsAnEmptyShape() {
    assertThrows(IllegalArgumentException.class, () -> new FeatureSqueeze(1, 0, 28));
  }
}
