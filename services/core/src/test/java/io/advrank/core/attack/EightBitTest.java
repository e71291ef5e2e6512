package io.advrank.core.attack;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** Quantising adversarial values to 8 bits inside the ε-ball ({@link EightBit}). */
class EightBitTest {
  @Test
  void roundsToTheNearestStepInsideTheBall() {
    float clean = 100 / 255f;
    // ε = 0.03 is 7.65 steps: 7.4 steps up rounds to 7, 7.6 steps would round to 8 but 8 > 7.65.
    assertEquals(107, EightBit.step((100 + 7.4f) / 255f, clean, 0.03));
    assertEquals(107, EightBit.step((100 + 7.6f) / 255f, clean, 0.03));
    assertEquals(93, EightBit.step((100 - 7.6f) / 255f, clean, 0.03));
    assertEquals(102, EightBit.step((100 + 2.4f) / 255f, clean, 0.03));
  }

  @Test
  void anEpsilonOnTheGridKeepsItsLastStep() {
    float clean = 100 / 255f;
    // 8/255 as a float times 255 is not exactly 8; the ball still reaches 8 steps.
    assertEquals(108, EightBit.step(108 / 255f, clean, (float) (8.0 / 255)));
    assertEquals(92, EightBit.step(92 / 255f, clean, 8.0 / 255));
  }

  @Test
  void staysInsideThePixelRange() {
    assertEquals(0, EightBit.step(-0.01f, 1 / 255f, 0.03));
    assertEquals(255, EightBit.step(1.01f, 254 / 255f, 0.03));
  }

  @Test
  void anEpsilonUnderOneStepLeavesAnEightBitValueUnchanged() {
    assertEquals(50, EightBit.step(50.4f / 255f, 50 / 255f, 0.001));
    assertEquals(50, EightBit.step(50.6f / 255f, 50 / 255f, 0.001));
  }

  @Test
  void aCleanValueOffTheGridGetsGridPointsWithinEpsilonOfIt() {
    float clean = 100.5f / 255f;
    // Within 0.03 (7.65 steps) of 100.5: 93..108.
    assertEquals(108, EightBit.step(1f, clean, 0.03));
    assertEquals(93, EightBit.step(0f, clean, 0.03));
  }
}
