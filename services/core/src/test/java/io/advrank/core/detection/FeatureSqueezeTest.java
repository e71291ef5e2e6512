package io.advrank.core.detection;

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
    float[] joint = squeeze.joint(depth, median, speckle, null);
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(5.0, joint[3], 1e-6);
  }

  /**
   * One call (batch 2n or 3n) and two calls (batch n each) are the same function of the pixels, but
   * libtorch picks its kernels per batch shape and CPU, so the embeddings may differ in the last
   * bits, and a score, a small distance divided by a median of small distances, magnifies that. The
   * bound on the scores is therefore not a constant but propagated from the embeddings this machine
   * actually produced: see {@link #scoreBound}.
   */
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

        // What each path embedded: the images and their squeezed copies, by batch n and as one.
        float[] copies = FeatureSqueeze.reduceBitDepth(pixels);
        if (photos) {
          copies = concat(copies, oneCall.medianFilter(pixels, n));
        }
        Embeddings apart = concat(embedded, model.embed(copies, copies.length / spec.imageSize()));
        Embeddings together = model.embed(concat(pixels, copies), apart.count());
        assertEquals(n, scored.embeddings().count());
        // Rows of an embedding are unit vectors with entries of ~1/sqrt(1024): float32 kernels that
        // sum in another order differ by ~1e-7 per entry; a wrong row or image would differ by
        // ~0.1.
        assertArrayEquals(embedded.values(), scored.embeddings().values(), 1e-5f);
        double[] bound = scoreBound(apart, together, n, photos ? 2 : 1, expected);
        for (int i = 0; i < n; i++) {
          assertEquals(
              expected[i], scored.scores()[i], bound[i], "image " + i + " photos " + photos);
        }
      }
    }
  }

  /**
   * The most a score can move when each embedding moves from {@code a} to {@code b}. A raw score is
   * r = 1 − ⟨u, v⟩ of unit vectors, so |Δr| ≤ ‖Δu‖ + ‖Δv‖ + ‖Δu‖‖Δv‖ (Cauchy–Schwarz); the median m
   * of the window (these n raw values) moves by at most max|Δr|; r/m then moves by at most (|Δr| +
   * (r/m)·|Δm|) / (m − |Δm|); the speckle share does not depend on the model, and taking the
   * maximum of the ratios moves by no more than the largest of their moves. Float error of the
   * double-precision dot products is far below this and covered by the factor 2.
   */
  private static double[] scoreBound(
      Embeddings a, Embeddings b, int n, int squeezers, float[] scores) {
    double[] bound = new double[n];
    for (int s = 1; s <= squeezers; s++) {
      double[] raw = new double[n];
      double[] move = new double[n];
      for (int i = 0; i < n; i++) {
        double du = norm(a.row(i), b.row(i));
        double dv = norm(a.row(s * n + i), b.row(s * n + i));
        raw[i] = a.distance(i, s * n + i);
        move[i] = du + dv + du * dv;
      }
      double[] sorted = raw.clone();
      Arrays.sort(sorted);
      double m = n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
      double dm = Arrays.stream(move).max().orElseThrow();
      for (int i = 0; i < n; i++) {
        double ratioMove = (move[i] + raw[i] / m * dm) / (m - dm);
        bound[i] = Math.max(bound[i], 2 * ratioMove + 2 * Math.ulp(scores[i]));
      }
    }
    return bound;
  }

  private static double norm(float[] u, float[] v) {
    double s = 0;
    for (int k = 0; k < u.length; k++) {
      s += (u[k] - (double) v[k]) * (u[k] - (double) v[k]);
    }
    return Math.sqrt(s);
  }

  private static float[] concat(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  private static Embeddings concat(Embeddings a, Embeddings b) {
    return new Embeddings(concat(a.values(), b.values()), a.count() + b.count(), a.dim());
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
    assertEquals(3.0, squeeze.joint(depth, null, new float[] {0f, 0f, 0.03f}, null)[2], 1e-6);
    // Once the typical share is 4%, a 40% speckled background is 10 typical ones.
    FeatureSqueeze other = new FeatureSqueeze(1, 2, 2);
    float[] joint = other.joint(depth, null, new float[] {0.04f, 0.04f, 0.4f}, null);
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(10.0, joint[2], 1e-6);
  }

  @Test
  void photosWithoutAFlatBackgroundAreScoredByTheSqueezersAloneInTheirOwnUnits() {
    FeatureSqueeze squeeze = new FeatureSqueeze(1, 2, 2);
    float nan = Float.NaN;
    // Three studio shots (flat background, spotless), three textured photos, which squeezing
    // moves ten times further even when clean; the last one moves 5 typical textured distances.
    float[] depth = {0.01f, 0.01f, 0.01f, 0.1f, 0.1f, 0.5f};
    float[] joint = squeeze.joint(depth, null, new float[] {0f, 0f, 0f, nan, nan, nan}, null);
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(1.0, joint[3], 1e-6, "a clean textured photo is typical among its kind, not 10");
    assertEquals(5.0, joint[5], 1e-6);
    assertEquals(3, squeeze.scored(true));
    assertEquals(3, squeeze.scored(false));
  }

  @Test
  void fixedScalesFromCleanDataKeepAnAttackedShareOfTrafficFromLoweringScores() {
    // 30% of the traffic attacked, far from the clean distances: the running median rises to an
    // attacked value and every score falls, whereas the clean scales keep an attacked image at
    // its clean-units distance.
    float[] depth = {0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.2f, 0.2f, 0.2f};
    float[] speckle = new float[depth.length];
    FeatureSqueeze running = new FeatureSqueeze(1, 2, 2);
    FeatureSqueeze fixed = new FeatureSqueeze(1, 2, 2);
    ScoreScales clean = new ScoreScales(0.01, 0, 0, 0, 0.01);
    assertEquals(20.0, fixed.joint(depth, null, speckle, clean)[9], 1e-4);
    assertEquals(20.0, running.joint(depth, null, speckle, null)[9], 1e-4);
    float[] more = {0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.01f};
    assertEquals(1.0, running.joint(more, null, new float[more.length], null)[0], 1e-4);
    assertEquals(20.0, fixed.joint(more, null, new float[more.length], clean)[0], 1e-4);
  }

  @Test
  void onRgbPhotosTheColourNoiseScoreJoinsTheOthersInUnitsOfItsOwnScale() {
    FeatureSqueeze squeeze = new FeatureSqueeze(3, 2, 2);
    float nan = Float.NaN;
    // Textured photos (no flat background), which squeezing moves alike, clean or attacked; the
    // last one's colour noise is 6 typical shares: it decides the score.
    float[] depth = {0.1f, 0.1f, 0.1f, 0.1f};
    float[] speckle = {nan, nan, nan, nan};
    float[] chroma = {0.1f, 0.1f, 0.1f, 0.6f};
    float[] joint = squeeze.joint(depth, null, speckle, chroma, null);
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(6.0, joint[3], 1e-5);
    // A manifest's clean scale is used instead of the running median.
    ScoreScales clean = new ScoreScales(0, 0.1, 0, 0, 0, 0.3);
    assertEquals(
        2.0, new FeatureSqueeze(3, 2, 2).joint(depth, null, speckle, chroma, clean)[3], 1e-5);
  }
}
