package io.advrank.core.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;

class TripletsTest {
  /** Pairs of labels 0, 0 | 1, 1 | 0, 0 | 2, 2. */
  static final int[] LABELS = {0, 0, 1, 1, 0, 0, 2, 2};

  @Test
  void randomNegativesGiveEachAnchorItsPartnerAndOneOtherLabel() {
    Triplets t = Triplets.randomNegatives(LABELS, new Random(3));
    assertEquals(LABELS.length, t.size());
    for (int k = 0; k < t.size(); k++) {
      assertEquals(k, t.anchors()[k]);
      assertEquals(k ^ 1, t.positives()[k]);
      assertNotEquals(LABELS[k], LABELS[t.negatives()[k]]);
    }
  }

  @Test
  void allNegativesListEveryOtherLabelMemberOnce() {
    Triplets t = Triplets.allNegatives(LABELS);
    Set<String> seen = new HashSet<>();
    for (int k = 0; k < t.size(); k++) {
      int a = t.anchors()[k];
      assertEquals(a ^ 1, t.positives()[k]);
      assertNotEquals(LABELS[a], LABELS[t.negatives()[k]]);
      seen.add(a + ">" + t.negatives()[k]);
    }
    // Label 0 has 4 members and 4 others; labels 1 and 2 have 2 members and 6 others.
    assertEquals(4 * 4 + 2 * 6 + 2 * 6, t.size());
    assertEquals(t.size(), seen.size(), "no triplet twice");
  }

  @Test
  void theSamplerHandsEachBatchTheTripletsOfItsLabels() {
    int[] labels = {3, 1, 3, 1, 2, 2, 0, 0};
    TripletSampler sampler = new TripletSampler(labels, 4, new Random(5), NegativeSampling.ALL);
    for (int[] batch : sampler.epoch()) {
      int[] batchLabels = new int[batch.length];
      for (int i = 0; i < batch.length; i++) {
        batchLabels[i] = labels[batch[i]];
      }
      Triplets expected = Triplets.allNegatives(batchLabels);
      Triplets t = sampler.triplets(batch);
      assertArrayEquals(expected.anchors(), t.anchors());
      assertArrayEquals(expected.negatives(), t.negatives());
    }
  }

  @Test
  void aBatchOfOneLabelIsItsOwnNegative() {
    Triplets t = Triplets.allNegatives(new int[] {4, 4, 4, 4});
    assertArrayEquals(new int[] {0, 1, 2, 3}, t.anchors());
    assertArrayEquals(new int[] {1, 0, 3, 2}, t.positives());
    assertArrayEquals(new int[] {0, 1, 2, 3}, t.negatives());
  }

  @Test
  void theLossIsTheMeanHingeOverAllTriplets() {
    float margin = 0.5f;
    int n = LABELS.length;
    int d = 3;
    Random random = new Random(7);
    float[][] e = new float[n][d];
    for (float[] row : e) {
      double norm = 0;
      for (int j = 0; j < d; j++) {
        row[j] = (float) random.nextGaussian();
        norm += row[j] * row[j];
      }
      for (int j = 0; j < d; j++) {
        row[j] /= (float) Math.sqrt(norm);
      }
    }
    Triplets t = Triplets.allNegatives(LABELS);
    double expected = 0;
    for (int k = 0; k < t.size(); k++) {
      float[] a = e[t.anchors()[k]];
      double dap = 1 - dot(a, e[t.positives()[k]]);
      double dan = 1 - dot(a, e[t.negatives()[k]]);
      expected += Math.max(0, margin + dap - dan);
    }
    expected /= t.size();
    try (NDManager m = NDManager.newBaseManager()) {
      float[] flat = new float[n * d];
      for (int i = 0; i < n; i++) {
        System.arraycopy(e[i], 0, flat, i * d, d);
      }
      NDArray loss =
          TripletLoss.compute(
              m.create(flat, new Shape(n, d)),
              m.create(toLong(t.anchors())),
              m.create(toLong(t.positives())),
              m.create(toLong(t.negatives())),
              margin);
      // Float32 distances of unit vectors (error ~d·u each, u = 2^-24) and a mean of hinge terms
      // below margin + 2: its rounding is ~1e-6 whatever the kernels' order, a tenth of the bound.
      assertEquals(expected, loss.getFloat(), 1e-5);
    }
  }

  @Test
  void rowsOutsideTheBatchOrUnevenListsAreRefused() {
    int[] two = {0, 1};
    assertThrows(IllegalArgumentException.class, () -> new Triplets(2, two, two, new int[] {0}));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new Triplets(2, two, two, new int[] {0, 2}));
    assertEquals("triplets: row 2 outside [0, 2)", e.getMessage());
  }

  @Test
  void negativeSamplingParsesItsNamesAndNamesTheAcceptedOnes() {
    assertEquals(NegativeSampling.ALL, NegativeSampling.parse("All", "--negatives"));
    assertEquals(NegativeSampling.RANDOM, NegativeSampling.parse("random", "--negatives"));
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> NegativeSampling.parse("hard", "--negatives"));
    assertEquals("--negatives: unknown 'hard' (accepted: random, all)", e.getMessage());
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s;
  }

  private static long[] toLong(int[] a) {
    return Arrays.stream(a).asLongStream().toArray();
  }
}
