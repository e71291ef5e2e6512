package io.advrank.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Attack types, specs and the PGD schedule: parsing, validation, the paper's numbers. */
class AttackSpecTest {
  @Test
  void scheduleFollowsThePaper() {
    assertSchedule(0.01, 1.0 / 255, 10);
    assertSchedule(0.03, 1.0 / 255, 15);
    assertSchedule(0.1, 0.01, 20);
    assertSchedule(0.3, 0.01, 30);
    assertSchedule(1.0, 0.01, 30);
  }

  @Test
  void parsesEveryLabelCaseInsensitively() {
    for (AttackType t : AttackType.values()) {
      assertEquals(t, AttackType.parse(t.label().toLowerCase()));
    }
    assertEquals(AttackType.SP_QA_MINUS, AttackType.parse(" SP-QA- "));
  }

  @Test
  void anUnknownTypeNamesItAndTheAcceptedOnes() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> AttackType.parse("CA*"));
    assertEquals(
        "unknown attack type 'CA*' (accepted: CA+, CA-, QA+, QA-, SP-QA+, SP-QA-, ES)",
        e.getMessage());
  }

  @Test
  void refusesEpsilonOutsideTheUnitIntervalAndEmptySets() {
    for (double eps : new double[] {0, -0.1, 1.5, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class, () -> new AttackSpec(AttackType.CA_PLUS, eps, 1, 0));
      assertEquals("epsilon: must be in (0, 1], was " + eps, e.getMessage());
    }
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new AttackSpec(AttackType.QA_PLUS, 0.1, 0, 0));
    assertEquals("size: must be >= 1, was 0", e.getMessage());
  }

  @Test
  void typesKnowTheirRoleDirectionAndXi() {
    assertTrue(AttackType.CA_PLUS.raises());
    assertTrue(AttackType.CA_MINUS.targetsNeighbours());
    assertTrue(AttackType.SP_QA_MINUS.targetsNeighbours());
    assertEquals(1f, AttackType.SP_QA_PLUS.xi());
    assertEquals(100f, AttackType.SP_QA_MINUS.xi());
    assertEquals(0f, AttackType.QA_PLUS.xi());
    assertEquals("SP-QA+ eps=0.3 m=5", new AttackSpec(AttackType.SP_QA_PLUS, 0.3, 5, 0).describe());
  }

  @Test
  void aShorterScheduleStillTravelsTwiceTheBudget() {
    PgdSchedule s = PgdSchedule.of(0.3, 10);
    assertEquals(0.06, s.alpha(), 1e-12);
    assertEquals(10, s.iterations());
    assertEquals(0.3, s.epsilon());
    // Solved for alpha, the paper's rule gives back its own schedule where it is not capped.
    assertEquals(PgdSchedule.of(0.1).alpha(), PgdSchedule.of(0.1, 20).alpha(), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> PgdSchedule.of(0.3, 0));
    assertThrows(IllegalArgumentException.class, () -> PgdSchedule.of(0, 10));
  }

  private static void assertSchedule(double eps, double alpha, int iterations) {
    PgdSchedule s = PgdSchedule.of(eps);
    assertEquals(alpha, s.alpha(), 1e-12, "alpha for eps " + eps);
    assertEquals(iterations, s.iterations(), "iterations for eps " + eps);
  }
}
