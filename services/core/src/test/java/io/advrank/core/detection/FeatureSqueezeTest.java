package io.advrank.core.detection;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

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
  void theJointScoreMeasuresEachSqueezerInUnitsOfItsOwnCleanTail() {
    FeatureSqueeze squeeze = new FeatureSqueeze(1, 2, 2);
    // The median filter moves every image ten times further than 4-bit rounding: in units of
    // their own clean tails both say 1 for a clean image, and an outlier of either stands out.
    warm(squeeze, 0.01f, 0.1f, 0.02f, Float.NaN);
    float[] depth = {0.01f, 0.01f, 0.01f, 0.05f};
    float[] median = {0.1f, 0.1f, 0.1f, 0.1f};
    float[] speckle = {0.02f, 0.02f, 0.02f, 0.02f};
    float[] joint = squeeze.joint(depth, median, speckle, null);
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(5.0, joint[3], 1e-6);
  }

  /**
   * {@link FeatureSqueeze#LIVE_WARM_UP} images of these scores (NaN: not scored), taken as clean.
   */
  private static void warm(
      FeatureSqueeze squeeze, float depth, float median, float speckle, float chroma) {
    int n = FeatureSqueeze.LIVE_WARM_UP;
    float[] m = new float[n];
    Arrays.fill(m, median);
    float[] c = new float[n];
    Arrays.fill(c, chroma);
    squeeze.joint(
        filled(n, depth),
        filled(n, median),
        filled(n, speckle),
        Float.isNaN(chroma) ? null : c,
        null);
  }

  private static float[] filled(int n, float value) {
    float[] a = new float[n];
    Arrays.fill(a, value);
    return a;
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
  void theSpeckleShareCountsInUnitsOfItsCleanTailButNeverOfLessThanOnePercent() {
    FeatureSqueeze squeeze = new FeatureSqueeze(1, 2, 2);
    float[] depth = {0.01f, 0.01f, 0.01f};
    // Spotless backgrounds: the clean tail is 0, the scale 1%, so 3% counts as 3.
    warm(squeeze, 0.01f, Float.NaN, 0f, Float.NaN);
    assertEquals(3.0, squeeze.joint(depth, null, new float[] {0f, 0f, 0.03f}, null)[2], 1e-6);
    // Once clean backgrounds have up to 4% speckled, a 40% speckled background is 10 of them.
    FeatureSqueeze other = new FeatureSqueeze(1, 2, 2);
    warm(other, 0.01f, Float.NaN, 0.04f, Float.NaN);
    float[] joint = other.joint(depth, null, new float[] {0.04f, 0.04f, 0.4f}, null);
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(10.0, joint[2], 1e-6);
  }

  @Test
  void photosWithoutAFlatBackgroundAreScoredByTheSqueezersAloneInTheirOwnUnits() {
    FeatureSqueeze squeeze = new FeatureSqueeze(1, 2, 2);
    float nan = Float.NaN;
    // Studio shots (flat background, spotless) and textured photos, which squeezing moves ten
    // times further even when clean; the last one moves 5 clean textured distances.
    warm(squeeze, 0.01f, nan, 0f, nan);
    warm(squeeze, 0.1f, nan, nan, nan);
    float[] depth = {0.01f, 0.01f, 0.01f, 0.1f, 0.1f, 0.5f};
    float[] joint = squeeze.joint(depth, null, new float[] {0f, 0f, 0f, nan, nan, nan}, null);
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(1.0, joint[3], 1e-6, "a clean textured photo is typical among its kind, not 10");
    assertEquals(5.0, joint[5], 1e-6);
    assertEquals(FeatureSqueeze.LIVE_WARM_UP + 3, squeeze.scored(true));
    assertEquals(FeatureSqueeze.LIVE_WARM_UP + 3, squeeze.scored(false));
  }

  @Test
  void anAttackedShareOfTrafficFarAboveTheCleanTailDoesNotLowerScores() {
    // 30%, then 86% of the traffic attacked, far from the clean distances: a running median (the
    // live scale before) rose to an attacked value and every score fell to 1; the live scale turns
    // those values away and keeps judging in clean units, as a manifest's clean scale does.
    float[] depth = {0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.01f, 0.2f, 0.2f, 0.2f};
    float[] speckle = new float[depth.length];
    FeatureSqueeze live = new FeatureSqueeze(1, 2, 2);
    warm(live, 0.01f, Float.NaN, 0f, Float.NaN);
    FeatureSqueeze fixed = new FeatureSqueeze(1, 2, 2);
    ScoreScales clean = new ScoreScales(0.01, 0, 0, 0, 0.01);
    assertEquals(20.0, fixed.joint(depth, null, speckle, clean)[9], 1e-4);
    assertEquals(20.0, live.joint(depth, null, speckle, null)[9], 1e-4);
    for (int round = 0; round < 200; round++) {
      float[] more = {0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.2f, 0.01f};
      float[] scores = live.joint(more, null, new float[more.length], null);
      assertEquals(20.0, scores[0], 1e-4);
      assertEquals(1.0, scores[6], 1e-4);
    }
    float[] more = {0.2f, 0.01f};
    assertEquals(20.0, fixed.joint(more, null, new float[more.length], clean)[0], 1e-4);
  }

  /**
   * Textured photos as measured (docs/monitoring.md): the 4-bit squeezer's clean tail lies 15
   * medians out, an attacked photo's colour noise only 4.6 medians but 1.3–1.5 clean tails. In
   * median units the squeezer's clean tail set the threshold above every attacked photo (recall 0
   * for SP-QA±); in tail units the attacked photos stand above it.
   */
  @Test
  void aHeavyCleanTailOfOneScoreDoesNotBuryAnotherScoresAttackedValues() {
    Random random = new Random(7);
    FeatureSqueeze squeeze = new FeatureSqueeze(3, 2, 2);
    double[] calibration = new double[2000];
    for (int b = 0; b < 20; b++) {
      float[][] batch = texturedBatch(random, 100, 0);
      float[] scores = squeeze.joint(batch[0], null, batch[1], batch[2], null);
      for (int i = 0; i < 100; i++) {
        calibration[b * 100 + i] = scores[i];
      }
    }
    double threshold = Thresholds.upper(calibration, 0.005);
    // 400 clean queries and 40 hijacked ones in one batch, as in bench detect.
    float[][] mixed = texturedBatch(random, 440, 40);
    float[] scores = squeeze.joint(mixed[0], null, mixed[1], mixed[2], null);
    int caught = 0;
    int falseAlerts = 0;
    for (int i = 0; i < 440; i++) {
      if (scores[i] > threshold) {
        if (i < 40) {
          caught++;
        } else {
          falseAlerts++;
        }
      }
    }
    assertTrue(caught >= 36, "hijacked queries above the threshold: " + caught + " of 40");
    assertTrue(falseAlerts <= 8, "clean queries above the threshold: " + falseAlerts + " of 400");
  }

  /**
   * {@code n} textured photos' raw scores (4-bit distance, no speckle, colour noise), the first
   * {@code attacked} of them hijacked: a log-normal distance with a clean tail about 15 medians
   * out, and a colour-noise share around 0.15 that PGD raises to about 0.7.
   */
  private static float[][] texturedBatch(Random random, int n, int attacked) {
    float[] depth = new float[n];
    float[] speckle = new float[n];
    float[] chroma = new float[n];
    for (int i = 0; i < n; i++) {
      depth[i] = (float) (0.02 * Math.exp(1.05 * random.nextGaussian()));
      speckle[i] = Float.NaN;
      chroma[i] =
          i < attacked
              ? (float) (0.7 + 0.02 * random.nextGaussian())
              : (float) Math.max(0, 0.15 + 0.13 * random.nextGaussian());
    }
    return new float[][] {depth, speckle, chroma};
  }

  @Test
  void onRgbPhotosTheColourNoiseScoreJoinsTheOthersInUnitsOfItsOwnScale() {
    FeatureSqueeze squeeze = new FeatureSqueeze(3, 2, 2);
    float nan = Float.NaN;
    // Textured photos (no flat background), which squeezing moves alike, clean or attacked; the
    // last one's colour noise is 6 clean shares: it decides the score.
    warm(squeeze, 0.1f, nan, nan, 0.1f);
    float[] depth = {0.1f, 0.1f, 0.1f, 0.1f};
    float[] speckle = {nan, nan, nan, nan};
    float[] chroma = {0.1f, 0.1f, 0.1f, 0.6f};
    float[] joint = squeeze.joint(depth, null, speckle, chroma, null);
    assertEquals(1.0, joint[0], 1e-6);
    assertEquals(6.0, joint[3], 1e-5);
    // A manifest's clean scale is used instead of the live one.
    ScoreScales clean = new ScoreScales(0, 0.1, 0, 0, 0, 0.3);
    assertEquals(
        2.0, new FeatureSqueeze(3, 2, 2).joint(depth, null, speckle, chroma, clean)[3], 1e-5);
  }

  @Test
  void anImageSeenLatelyIsJudgedButDoesNotMoveTheScalesAgain() {
    float nan = Float.NaN;
    // One clean photo with a little less colour noise than most, asked 600 times, then a typical
    // photo: counted each time, the repeated photo would become the median and the typical photo
    // 1.11 scales; counted once, the typical photo is 1.
    float[] depth = filled(601, 0.1f);
    float[] chroma = filled(601, 0.09f);
    chroma[600] = 0.1f;
    boolean[] fresh = new boolean[601];
    fresh[0] = true;
    fresh[600] = true;
    FeatureSqueeze squeeze = new FeatureSqueeze(3, 2, 2);
    warm(squeeze, 0.1f, nan, nan, 0.1f);
    assertEquals(1.0, squeeze.joint(depth, null, filled(601, nan), chroma, null, fresh)[600], 1e-5);
    FeatureSqueeze everySighting = new FeatureSqueeze(3, 2, 2);
    warm(everySighting, 0.1f, nan, nan, 0.1f);
    float[] counted = everySighting.joint(depth, null, filled(601, nan), chroma, null);
    assertEquals(0.1 / 0.09, counted[600], 1e-5, "every sighting counted");
  }

  @Test
  void theSqueezersLiveScalesStartOverWhenAnotherVersionEmbeds() {
    FeatureSqueeze squeeze = new FeatureSqueeze(3, 2, 2);
    float nan = Float.NaN;
    squeeze.follow("v1");
    warm(squeeze, 0.01f, nan, nan, 0.1f);
    // v2's clean distances are five times v1's: under v1's scale every one would be turned away
    // and score 5 for ever.
    squeeze.follow("v2");
    float[] depth = {0.05f, 0.05f};
    float[] chroma = {0.1f, 0.6f};
    float[] joint = squeeze.joint(depth, null, new float[] {nan, nan}, chroma, null);
    assertEquals(1.0, joint[0], 1e-6);
    // The colour-noise share does not depend on the model: its scale is kept.
    assertEquals(6.0, joint[1], 1e-5);
  }
}
