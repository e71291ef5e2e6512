package io.advrank.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * robrank's suite on the Fashion-MNIST fixture: every attack moves its own figure the attack's way
 * beyond the clean value, within the ε-ball, so ERS falls.
 */
class RobrankSuiteTest {
  private static final int ITEMS = 24;
  private static RobrankSuite.Result result;
  private static final List<String> started = new ArrayList<>();

  @BeforeAll
  static void runSuite() {
    EmbeddingModel model = FixtureModel.model();
    ImageDataset test = FixtureModel.test();
    try (RobrankSuite suite = RobrankSuite.of(model, test, AttackProfile.ROB28)) {
      result =
          suite.run(
              ITEMS,
              16,
              5,
              new RobrankSuite.Progress() {
                @Override
                public void start(String attack) {
                  started.add(attack);
                }

                @Override
                public void done(int items) {}
              });
    }
    System.out.println("robrank suite on the fixture: clean " + result.clean());
    System.out.println("robrank suite on the fixture: attacked " + result.attacked());
  }

  @AfterAll
  static void show() {
    System.out.printf(
        "ERS clean %.2f, attacked %.2f%n", result.clean().ers(), result.attacked().ers());
  }

  @Test
  void runsEveryAttackUnderRob28() {
    assertEquals(RobrankSuite.ATTACKS, started);
    assertEquals(77.0 / 255, result.epsilon(), 0);
    assertEquals(ITEMS, result.count());
  }

  @Test
  void staysInTheEpsilonBall() {
    assertTrue(result.maxLinf() <= (float) (77.0 / 255), "L∞ " + result.maxLinf());
    assertTrue(result.maxLinf() > 0.25, "the attacks used their budget: L∞ " + result.maxLinf());
  }

  @Test
  void rankAttacksMoveTheirTargetsTheirWay() {
    RobrankScores a = result.attacked();
    RobrankScores c = result.clean();
    assertTrue(a.caPlus() < c.caPlus(), "CA+ " + c.caPlus() + " -> " + a.caPlus());
    assertTrue(a.caMinus() > c.caMinus(), "CA- " + c.caMinus() + " -> " + a.caMinus());
    assertTrue(a.qaPlus() < c.qaPlus(), "QA+ " + c.qaPlus() + " -> " + a.qaPlus());
    assertTrue(a.qaMinus() > c.qaMinus(), "QA- " + c.qaMinus() + " -> " + a.qaMinus());
  }

  @Test
  void tmaPullsTheQueryTowardsItsTarget() {
    assertTrue(
        result.attacked().tma() > result.clean().tma() + 0.1,
        "TMA cosine " + result.clean().tma() + " -> " + result.attacked().tma());
  }

  @Test
  void esShiftsTheEmbeddingAndBreaksRecall() {
    assertEquals(0, result.clean().esd());
    assertTrue(result.attacked().esd() > 0.1, "ESD " + result.attacked().esd());
    assertTrue(
        result.attacked().esr() < result.clean().esr(),
        "ESR " + result.clean().esr() + " -> " + result.attacked().esr());
  }

  @Test
  void ltmAndGtmBreakRecall() {
    RobrankScores a = result.attacked();
    RobrankScores c = result.clean();
    assertTrue(c.ltm() > 50, "clean R@1 " + c.ltm());
    assertTrue(a.ltm() < c.ltm(), "LTM R@1 " + c.ltm() + " -> " + a.ltm());
    assertTrue(a.gtm() < c.gtm(), "GTM R@1 " + c.gtm() + " -> " + a.gtm());
  }

  @Test
  void gttPushesTheTop1OutOfTheTop4() {
    assertEquals(100, result.clean().gtt());
    assertTrue(result.attacked().gtt() < 100, "GTT retain@4 " + result.attacked().gtt());
  }

  @Test
  void ersFalls() {
    assertTrue(result.attacked().ers() < result.clean().ers());
  }

  @Test
  void refusesThePapersProfile() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> RobrankSuite.of(FixtureModel.model(), FixtureModel.test(), AttackProfile.PAPER));
    assertTrue(e.getMessage().startsWith("profile:"), e.getMessage());
  }
}
