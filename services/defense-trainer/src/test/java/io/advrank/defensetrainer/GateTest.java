package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

class GateTest {
  private static Figures figures(double r1, double robustness) {
    return new Figures(Map.of(Figures.R_AT_1, r1, Figures.ROBUSTNESS, robustness));
  }

  private final Gate gate = new Gate(0.03, 0.5);

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
