package io.advrank.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EpsilonsTest {
  @Test
  void readsDecimalsAndFractions() {
    assertEquals(0.03, Epsilons.parse("0.03"));
    assertEquals(8.0 / 255, Epsilons.parse(" 8/255 "));
    assertEquals(0.5, Epsilons.parse("1/2"));
  }

  @Test
  void refusesWhatIsNotANumberNamingTheForms() {
    for (String bad : new String[] {"abc", "8/", "/255", "8/0", "8/-1", "1/2/3"}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Epsilons.parse(bad), bad);
      assertTrue(e.getMessage().contains("8/255"), e.getMessage());
    }
  }

  @Test
  void writesShortDecimalsAsTheyAreAndLongOnesAsFractionsOf255() {
    assertEquals("0.3", Epsilons.format(0.3));
    assertEquals("0.2", Epsilons.format(0.2));
    assertEquals("8/255", Epsilons.format(8.0 / 255));
    assertEquals("16/255", Epsilons.format(16.0 / 255));
  }

  @Test
  void profilesSizeTheirSteps() {
    assertEquals(
        new PgdSchedule(8.0 / 255, 1.0 / 255, 32), AttackProfile.ROB224.schedule(8.0 / 255));
    assertEquals(PgdSchedule.of(0.3), AttackProfile.PAPER.schedule(0.3));
    // robrank's rob28: eps=0.30196:alpha=0.011764:pgditer=32
    assertEquals(
        new PgdSchedule(77.0 / 255, 3.0 / 255, 32),
        AttackProfile.ROB28.schedule(AttackProfile.ROB28.defaultEpsilon()));
    assertEquals(AttackProfile.ROB224, AttackProfile.parse("ROB224"));
    assertTrue(
        assertThrows(IllegalArgumentException.class, () -> AttackProfile.parse("x"))
            .getMessage()
            .contains("accepted: paper, rob28, rob224"));
    assertEquals(
        "CA+ eps=8/255 w=1 rob224",
        new AttackSpec(AttackType.CA_PLUS, 8.0 / 255, 1, 0, AttackProfile.ROB224).describe());
  }
}
