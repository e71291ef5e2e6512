package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GateTest {
  private static Figures figures(double r1, double robustness) {
    return new Figures(Map.of(Figures.R_AT_1, r1, Figures.ROBUSTNESS, robustness));
  }

  private static Figures figures(double r1, double robustness, double ers) {
    return new Figures(
        Map.of(Figures.R_AT_1, r1, Figures.ROBUSTNESS, robustness, Figures.ERS, ers));
  }

  private final Gate gate = new Gate(0.03, 0.5);
  private final Gate ersGate = new Gate(0.03, 0.5, GateMetric.ERS);

  @Test
  void byErsPublishesACandidateWithAHigherErsEvenIfTheProbesSayOtherwise() {
    Figures parent = figures(0.87, 8.0, 40.0);
    Figures candidate = figures(0.86, 7.0, 45.5); // probes slightly worse, whole suite better
    Gate.Verdict byErs = ersGate.judge(parent, parent, candidate);
    assertTrue(byErs.publish(), byErs.reason());
    assertTrue(byErs.reason().contains("ERS 40.00 -> 45.50 (+5.50 points"), byErs.reason());
    assertFalse(gate.judge(parent, parent, candidate).publish(), "the default gate: probes");
  }

  @Test
  void byErsRejectsACandidateWhoseErsDidNotRiseEnough() {
    Figures parent = figures(0.87, 8.0, 40.0);
    Gate.Verdict v = ersGate.judge(parent, parent, figures(0.87, 20.0, 40.3));
    assertFalse(v.publish(), v.reason());
    assertFalse(v.recallFailed());
    assertTrue(v.reason().contains("not more robust; ERS"), v.reason());
  }

  @Test
  void byErsStillKeepsTheRecallBudget() {
    Figures root = figures(0.87, 8.0, 40.0);
    Gate.Verdict v = ersGate.judge(root, root, figures(0.80, 30.0, 70.0));
    assertFalse(v.publish());
    assertTrue(v.recallFailed(), v.reason());
  }

  @Test
  void theMetricSettingNamesItselfAndTheAcceptedValues() {
    assertEquals(GateMetric.ERS, GateMetric.parse("gate.metric", " ERS "));
    var e =
        assertThrows(IllegalArgumentException.class, () -> GateMetric.parse("gate.metric", "r1"));
    assertEquals("gate.metric: must be robustness or ers, was 'r1'", e.getMessage());
  }

  @Test
  void publishesAMoreRobustCandidateWithinTheRecallBudget() {
    Gate.Verdict v = gate.judge(figures(0.87, 3.0), figures(0.87, 3.0), figures(0.85, 8.0));
    assertTrue(v.publish(), v.reason());
    assertTrue(v.reason().contains("+5.00 pp"), v.reason());
  }

  @Test
  void rejectsACandidateWhoseRecallFellTooFar() {
    Gate.Verdict v = gate.judge(figures(0.87, 3.0), figures(0.87, 3.0), figures(0.83, 20.0));
    assertFalse(v.publish());
    assertTrue(v.recallFailed());
    assertTrue(v.reason().contains("R@1 fell too far"), v.reason());
  }

  @Test
  void measuresTheRecallBudgetFromTheRootSoSmallDropsDoNotAddUp() {
    Figures root = figures(0.87, 3.0);
    Figures parent = figures(0.85, 8.0); // published: 0.02 below the root
    Gate.Verdict v = gate.judge(root, parent, figures(0.83, 12.0));
    assertFalse(v.publish(), "0.02 below the parent but 0.04 below the root: " + v.reason());
    assertTrue(v.recallFailed());
  }

  @Test
  void rejectsACandidateThatIsNotMoreRobust() {
    Gate.Verdict v = gate.judge(figures(0.87, 3.0), figures(0.87, 3.0), figures(0.88, 3.2));
    assertFalse(v.publish());
    assertFalse(v.recallFailed(), "keeps training rather than resetting");
    assertTrue(v.reason().contains("not more robust"), v.reason());
  }
}
