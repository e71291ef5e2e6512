package io.advrank.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/**
 * ERS as robrank's {@code tools/pjswipe.py} computes it, checked against robrank's own
 * Fashion-MNIST rows ({@code doc/dmltab-fashion.txt}, cosine-distance triplet, {@code rob28}
 * profile).
 */
class RobrankScoresTest {
  /** rc2f2:ptripletC (no defense): 1.0 99.5 0.3 99.0 0.986 | 1.594 30.7 11.6 13.8 0.0. */
  static final RobrankScores VANILLA =
      new RobrankScores(1.0, 99.5, 0.3, 99.0, 0.986, 1.594, 30.7, 11.6, 13.8, 0.0);

  /** rc2f2d:ptripletC (EST): 33.5 12.5 40.4 8.3 0.660 | 0.040 53.2 49.6 53.6 0.4. */
  static final RobrankScores EST =
      new RobrankScores(33.5, 12.5, 40.4, 8.3, 0.660, 0.040, 53.2, 49.6, 53.6, 0.4);

  /** rc2f2p:ptripletC (ACT): 32.2 14.7 36.9 12.0 0.288 | 0.182 51.5 68.5 60.1 0.4. */
  static final RobrankScores ACT =
      new RobrankScores(32.2, 14.7, 36.9, 12.0, 0.288, 0.182, 51.5, 68.5, 60.1, 0.4);

  @Test
  void reproducesErsOfRobranksPublishedFashionMnistRows() {
    assertEquals(8.19, VANILLA.ers(), 1e-9);
    assertEquals(61.58, EST.ers(), 1e-9);
    assertEquals(65.41, ACT.ers(), 1e-9);
  }

  @Test
  void rescalesEachFigureSoThatLargerIsMoreRobust() {
    double[] n = ACT.normalised();
    double[] expected = {64.4, 85.3, 73.8, 88.0, 71.2, 90.9, 51.5, 68.5, 60.1, 0.4};
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], n[i], 1e-9, RobrankScores.NAMES.get(i));
    }
  }

  @Test
  void anUnmovedModelScoresOneHundred() {
    RobrankScores untouched = new RobrankScores(50, 0, 50, 0, 0, 0, 100, 100, 100, 100);
    assertEquals(100, untouched.ers(), 1e-9);
  }

  @Test
  void rejectsFiguresOutsideTheirUnitNamingTheFigure() {
    var e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RobrankScores(1, 2, 3, 4, 0.5, 2.5, 5, 6, 7, 8));
    assertTrue(e.getMessage().startsWith("ESD:"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RobrankScores(1, 2, 3, 4, 1.5, 0.1, 5, 6, 7, 8));
    assertTrue(e.getMessage().startsWith("TMA:"), e.getMessage());
    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new RobrankScores(1, 2, 3, 4, 0.5, 0.1, 5, 6, 7, 180));
    assertTrue(e.getMessage().startsWith("GTT:"), e.getMessage());
  }
}
