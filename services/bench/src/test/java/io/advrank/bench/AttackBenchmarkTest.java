package io.advrank.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.attack.AttackType;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class AttackBenchmarkTest {
  @Test
  void reportsMediansOverRoundsAndTheSpeedUpWithinEachRound() {
    try (EmbeddingModel model = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 0, Device.cpu())) {
      List<AttackBenchmark.Point> points =
          new AttackBenchmark(model, 20, 0.01)
              .run(new AttackType[] {AttackType.CA_PLUS}, new int[] {2, 1}, 3);
      assertEquals(2, points.size());
      for (AttackBenchmark.Point p : points) {
        assertEquals(1, p.baseBatch());
        assertEquals(3, p.roundAttacksPerSecond().length);
        assertEquals(AttackBenchmark.median(p.roundAttacksPerSecond()), p.attacksPerSecond());
        assertEquals(30 * p.attacksPerSecond(), p.imageStepsPerSecond(), 1e-9);
      }
      assertEquals(1.0, points.get(1).speedUp()); // batch 1 against itself
      double[] two = points.get(0).roundAttacksPerSecond();
      double[] one = points.get(1).roundAttacksPerSecond();
      double[] ratios = {two[0] / one[0], two[1] / one[1], two[2] / one[2]};
      assertEquals(AttackBenchmark.median(ratios), points.get(0).speedUp(), 1e-12);
      assertTrue(points.get(0).speedUp() > 0);
    }
  }

  @Test
  void medianOfOddAndEvenCounts() {
    assertEquals(2.0, AttackBenchmark.median(new double[] {3, 1, 2}));
    assertEquals(2.5, AttackBenchmark.median(new double[] {4, 1, 3, 2}));
  }

  @Test
  void refusesZeroRounds() {
    try (EmbeddingModel model = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 0, Device.cpu())) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  new AttackBenchmark(model, 20, 0.01)
                      .run(new AttackType[] {AttackType.CA_PLUS}, new int[] {1}, 0));
      assertEquals("rounds: must be >= 1, was 0", e.getMessage());
    }
  }
}
