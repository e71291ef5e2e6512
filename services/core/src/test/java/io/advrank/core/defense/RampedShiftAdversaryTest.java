package io.advrank.core.defense;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import io.advrank.core.attack.PgdSchedule;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.Fixtures;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import org.junit.jupiter.api.Test;

/** The ε warm-up: each step's perturbation reaches, and stays within, that step's budget. */
class RampedShiftAdversaryTest {
  private static final PgdSchedule FULL = PgdSchedule.of(0.3, 10);

  @Test
  void budgetGrowsLinearlyThenStaysFull() throws Exception {
    ImageDataset images =
        DatasetDirectory.load(Fixtures.fashionMnistMini(), DatasetDirectory.Split.TEST).head(8);
    RampedShiftAdversary ramp = new RampedShiftAdversary(FULL, 4, 0);
    try (EmbeddingModel model = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 5, Device.cpu());
        NDManager m = model.manager().newSubManager()) {
      NDArray x = m.create(images.batch(indices(8)), EmbeddingModel.inputShape(model.spec(), 8));
      double[] expected = {0.075, 0.15, 0.225, 0.3, 0.3};
      for (double eps : expected) {
        double linf = ramp.perturb(model, x).sub(x).abs().max().getFloat();
        assertTrue(linf <= eps + 1e-6, "perturbation " + linf + " beyond ε " + eps);
        assertTrue(linf >= 0.99 * eps, "perturbation " + linf + " short of ε " + eps);
      }
    }
  }

  @Test
  void resumesFromStepsAlreadyTaken() {
    assertEquals(0.15, new RampedShiftAdversary(FULL, 4, 1).next().epsilon(), 1e-12);
    assertEquals(FULL, new RampedShiftAdversary(FULL, 4, 3).next());
    assertEquals(FULL, new RampedShiftAdversary(FULL, 4, 100).next());
    assertEquals(0.06 / 4, new RampedShiftAdversary(FULL, 4, 0).next().alpha(), 1e-12);
  }

  @Test
  void paperEstHasNoRamp() {
    EstDefense est = new EstDefense(FULL);
    assertEquals("est eps=0.3 alpha=0.06 iterations=10", est.describe());
    assertEquals(
        "est eps=0.3 alpha=0.06 iterations=10 warmup-steps=50", est.withWarmup(50).describe());
  }

  private static int[] indices(int n) {
    int[] idx = new int[n];
    for (int i = 0; i < n; i++) {
      idx[i] = i;
    }
    return idx;
  }
}
