package io.advrank.core.attack;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

/** LTM's loss [max_{other label} d − min_{same label} d]+ on a hand-made gallery. */
class MisrankObjectiveTest {
  @Test
  void isTheGapBetweenTheFarthestOtherAndTheNearestSameLabelItem() {
    try (NDManager m = NDManager.newBaseManager()) {
      // Gallery on the unit circle: items 0, 1 share the query's label, items 2, 3 do not.
      float s = (float) Math.sqrt(0.5);
      NDArray gallery = m.create(new float[] {1, 0, s, s, 0, 1, -1, 0}, new Shape(4, 2));
      NDArray same = m.create(new float[] {1, 1, 0, 0, 1, 1, 0, 0}, new Shape(2, 4));
      MisrankObjective ltm = new MisrankObjective(gallery.transpose(), same);
      // Query (1, 0): nearest same d = 0 (item 0), farthest other d = 2 (item 3): loss 2.
      // Query (−1, 0): nearest same d = 1 + s (item 1), farthest other d = 1 (item 2): the
      // hinge is closed, loss 0.
      NDArray q = m.create(new float[] {1, 0, -1, 0}, new Shape(2, 2));
      assertArrayEquals(new float[] {2f, 0f}, ltm.loss(q).toFloatArray(), 1e-6f);
    }
  }
}
