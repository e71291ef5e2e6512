package io.advrank.cli.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class DetectScoresTest {
  @Test
  void aucIsOneWhenEveryAttackOutscoresEveryBenignAndHalfForIdenticalScores() {
    assertEquals(1.0, DetectScores.auc(new double[] {3, 4}, new double[] {1, 2}), 1e-12);
    assertEquals(0.0, DetectScores.auc(new double[] {1}, new double[] {2, 3}), 1e-12);
    assertEquals(0.5, DetectScores.auc(new double[] {1, 1}, new double[] {1, 1, 1}), 1e-12);
    // 2 beats 1, ties 2, loses to 3: (1 + 0.5 + 0) / 3
    assertEquals(0.5, DetectScores.auc(new double[] {2}, new double[] {1, 2, 3}), 1e-12);
    assertTrue(Double.isNaN(DetectScores.auc(new double[0], new double[] {1})));
  }

  @Test
  void precisionRecallAndFalsePositiveRateFromAlertCounts() {
    DetectScores s =
        new DetectScores(
            "SP-QA+", 0.1, "query", 40, 400, 30, 4, 0.9, Map.of("query_hijack", 30), Map.of());

    assertEquals(30.0 / 34, s.precision(), 1e-12);
    assertEquals(0.75, s.recall(), 1e-12);
    assertEquals(0.01, s.falsePositiveRate(), 1e-12);
  }
}
