package io.advrank.core.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.training.GradientCollector;
import io.advrank.core.model.Autograd;
import io.advrank.core.model.GradientLane;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** CA±'s loss from sorted rows is the paper's hinge, in value and in gradient. */
class CandidateObjectiveTest {
  private static final int B = 3;
  private static final int W = 2;
  private static final int D = 8;
  private static final int N = 40;

  /**
   * The two sides sum the same N terms per item in different orders (prefix sums of sorted rows
   * against the hinge's sum over X), and libtorch's vectorised sums order them by CPU. A float32
   * sum of N terms is within (N − 1)·u·Σ|terms| of the exact one (u = 2^-24; Higham, Accuracy and
   * Stability of Numerical Algorithms, §4.2), and both sides are means over N, so each side is
   * within (N − 1)·u·max|term| and they differ by at most twice that. The loss's terms are
   * distances in [0, 2] (max|term| = 2), the gradient's are components of unit queries (≤ 1): the
   * bounds are 2·SUM_ERROR·2 = 9.3e-6 and 2·SUM_ERROR = 4.6e-6, against hinge terms ~1/N = 0.025.
   */
  private static final double SUM_ERROR = (N - 1) * Math.ulp(1f) / 2;

  @ParameterizedTest
  @ValueSource(booleans = {true, false})
  void lossAndGradientEqualTheHingeOverTheWholeGallery(boolean raise) {
    Random random = new Random(raise ? 1 : 2);
    try (NDManager m = NDManager.newBaseManager(Device.cpu())) {
      NDArray queries = unit(m, random, new Shape(B, W, D));
      NDArray galleryT = unit(m, random, new Shape(N, D)).transpose();
      NDArray dqx = queries.matMul(galleryT).neg().add(1f); // (B, w, N)
      float[] e = unit(m, random, new Shape(B, D)).toFloatArray();
      CandidateObjective objective = new CandidateObjective(queries, galleryT, raise);
      for (int step = 0; step < 2; step++) { // the second call reuses the sorted rows
        float[][] fast = lossAndGradient(m, e, objective::loss);
        float[][] hinge =
            lossAndGradient(
                m,
                e,
                emb -> {
                  NDArray dqc = queries.mul(emb.expandDims(1)).sum(new int[] {2}).neg().add(1f);
                  NDArray d = dqc.expandDims(2);
                  return CandidateObjective.perItemMean(
                      Activation.relu(raise ? d.sub(dqx) : dqx.sub(d)));
                });
        assertArrayEquals(hinge[0], fast[0], (float) (2 * SUM_ERROR * 2), "loss");
        assertArrayEquals(hinge[1], fast[1], (float) (2 * SUM_ERROR), "gradient");
        // The form a GPU runs is that hinge, computed the same way: equal bit for bit.
        float[][] onDevice =
            lossAndGradient(m, e, new CandidateObjective(queries, galleryT, raise).hinge()::loss);
        assertArrayEquals(hinge[0], onDevice[0], "loss, hinge form");
        assertArrayEquals(hinge[1], onDevice[1], "gradient, hinge form");
      }
    }
  }

  @ParameterizedTest
  @ValueSource(floats = {-1f, 0.5f, 1f, 2f, 3f, 9f})
  void countBelowCountsStrictlyOrWithTies(float v) {
    float[] a = {9f, 0.5f, 1f, 1f, 1f, 2f, 9f}; // the row is a[1..6)
    int strict = 0;
    int orEqual = 0;
    for (int i = 1; i < 6; i++) {
      strict += a[i] < v ? 1 : 0;
      orEqual += a[i] <= v ? 1 : 0;
    }
    assertEquals(strict, CandidateObjective.countBelow(a, 1, 5, v, false));
    assertEquals(orEqual, CandidateObjective.countBelow(a, 1, 5, v, true));
  }

  /** The loss of each item and ∂(Σ loss)/∂e at the embeddings {@code e} (B, D). */
  private static float[][] lossAndGradient(
      NDManager m, float[] e, java.util.function.Function<NDArray, NDArray> loss) {
    try (NDManager step = m.newSubManager()) {
      NDArray emb = step.create(e, new Shape(B, D));
      emb.setRequiresGradient(true);
      float[] value;
      try (GradientCollector gc = GradientLane.open()) {
        NDArray l = loss.apply(emb);
        value = l.toFloatArray();
        gc.backward(l.sum());
      }
      Autograd.disableOnThisThread();
      return new float[][] {value, emb.getGradient().toFloatArray()};
    }
  }

  /** Random unit vectors along the last axis. */
  private static NDArray unit(NDManager m, Random random, Shape shape) {
    float[] v = new float[(int) shape.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) random.nextGaussian();
    }
    NDArray a = m.create(v, shape);
    return a.div(a.norm(new int[] {shape.dimension() - 1}, true));
  }
}
