package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.Random;
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

  @Test
  void theJointScoreMeasuresEachSqueezerInItsOwnTypicalDistance() {
    FeatureSqueeze squeeze = new FeatureSqueeze(1, 2, 2);
    // The median filter moves every image ten times further than 4-bit rounding: in units of
    // their own medians both say 1 for a typical image, and an outlier of either stands out.
    float[] depth = {0.01f, 0.01f, 0.01f, 0.05f};
    float[] median = {0.1f, 0.1f, 0.1f, 0.1f};
    float[] speckle = {0.02f, 0.02f, 0.02f, 0.02f};
    float[] joint = squeeze.joint(depth, median, speckle);
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(5.0, joint[3], 1e-6);
  }

  @Test
  void oneForwardCallGivesTheEmbeddingsAndScoresOfTwo() {
    ModelSpec spec = ModelSpec.c2f1(1, 28, 28);
    Random random = new Random(3);
    int n = 3;
    float[] pixels = new float[n * spec.imageSize()];
    for (int i = 0; i < pixels.length; i++) {
      pixels[i] = random.nextFloat() < 0.6f ? 0f : random.nextFloat();
    }
    try (EmbeddingModel model = EmbeddingModel.create(spec, 0, Device.cpu())) {
      for (boolean photos : new boolean[] {false, true}) {
        FeatureSqueeze twoCalls = photos ? FeatureSqueeze.joint(spec) : FeatureSqueeze.of(spec);
        FeatureSqueeze oneCall = photos ? FeatureSqueeze.joint(spec) : FeatureSqueeze.of(spec);
        Embeddings embedded = model.embed(pixels, n);
        float[] expected = twoCalls.scores(model, pixels, n, embedded);

        FeatureSqueeze.Scored scored = oneCall.embedAndScore(model, pixels, n);

        assertEquals(n, scored.embeddings().count());
        assertArrayEquals(embedded.values(), scored.embeddings().values(), 1e-5f);
        assertArrayEquals(expected, scored.scores(), 1e-4f);
      }
    }
  }

  @Test
  void theRunningMedianForgetsOldValues() {
    FeatureSqueeze.RunningMedian m = new FeatureSqueeze.RunningMedian(3);
    m.addAll(new float[] {100, 100, 100});
    assertEquals(100, m.median(), 0);
    m.addAll(new float[] {1, 2, 3});
    assertEquals(2, m.median(), 0);
    m.addAll(new float[] {4});
    assertEquals(3, m.median(), 0);
  }

  @Test
  void theRunningMedianIsTheMedianOfTheWindowAtEveryStep() {
    Random random = new Random(7);
    int capacity = 16;
    FeatureSqueeze.RunningMedian m = new FeatureSqueeze.RunningMedian(capacity);
    ArrayDeque<Float> window = new ArrayDeque<>();
    for (int step = 0; step < 500; step++) {
      // Few distinct values, so that equal values leave and enter the window too.
      float v = random.nextInt(6) / 4f;
      m.addAll(new float[] {v});
      window.addLast(v);
      if (window.size() > capacity) {
        window.removeFirst();
      }
      float[] sorted = new float[window.size()];
      int i = 0;
      for (float w : window) {
        sorted[i++] = w;
      }
      Arrays.sort(sorted);
      int n = sorted.length;
      double expected =
          n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + (double) sorted[n / 2]) / 2;
      assertEquals(expected, m.median(), 0, "step " + step);
    }
  }

  @Test
  void theSpeckleShareCountsInUnitsOfItsMedianButNeverOfLessThanOnePercent() {
    FeatureSqueeze squeeze = new FeatureSqueeze(1, 2, 2);
    float[] depth = {0.01f, 0.01f, 0.01f};
    // Mostly spotless backgrounds: the median share is 0, the scale 1%, so 3% counts as 3.
    assertEquals(3.0, squeeze.joint(depth, null, new float[] {0f, 0f, 0.03f})[2], 1e-6);
    // Once the typical share is 4%, a 40% speckled background is 10 typical ones.
    FeatureSqueeze other = new FeatureSqueeze(1, 2, 2);
    float[] joint = other.joint(depth, null, new float[] {0.04f, 0.04f, 0.4f});
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(10.0, joint[2], 1e-6);
  }
}
