package io.advrank.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.proto.v1.ScoreSample;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CalibrationTest {
  /** 1, 2, ..., n in a shuffled order. */
  private static ScoreSample.Builder oneTo(int n) {
    ScoreSample.Builder sample = ScoreSample.newBuilder();
    Random random = new Random(7);
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      int j = random.nextInt(i + 1);
      order[i] = order[j];
      order[j] = i + 1;
    }
    for (int v : order) {
      Calibration.offer(sample, v, n);
    }
    return sample;
  }

  @Test
  void upperThresholdIsTheOrderStatisticWhoseExpectedExceedanceIsAtMostFpr() {
    // k = ceil((n + 1)(1 - fpr)): 401 * 0.99 = 396.99 -> 397, leaving 3 of 400 above (4/401).
    assertEquals(397, Calibration.upper(oneTo(400), 0.01));
    // 100 * 0.99 = 99 exactly: the 99th, not the 100th, despite floating-point rounding.
    assertEquals(99, Calibration.upper(oneTo(99), 0.01));
    // 21 * 0.95 = 19.95 -> the largest of 20.
    assertEquals(20, Calibration.upper(oneTo(20), 0.05));
    // A sample too small for the rate: the largest value.
    assertEquals(10, Calibration.upper(oneTo(10), 0.01));
  }

  @Test
  void lowerThresholdMirrorsTheUpperOne() {
    assertEquals(4, Calibration.lower(oneTo(400), 0.01)); // floor(401 * 0.01) = 4
    assertEquals(1, Calibration.lower(oneTo(99), 0.01)); // floor(100 * 0.01) = 1
    assertEquals(1, Calibration.lower(oneTo(10), 0.01)); // never below the smallest
  }

  @Test
  void heldOutBenignScoresExceedTheThresholdAtMostAtTheTargetRateOnAverage() {
    Random random = new Random(11);
    int trials = 2000;
    int n = 400;
    double exceedances = 0;
    for (int t = 0; t < trials; t++) {
      ScoreSample.Builder sample = ScoreSample.newBuilder();
      for (int i = 0; i < n; i++) {
        Calibration.offer(sample, random.nextGaussian(), n);
      }
      double threshold = Calibration.upper(sample, 0.01);
      // The share of fresh benign scores above it, counted.
      int above = 0;
      for (int i = 0; i < 1000; i++) {
        if (random.nextGaussian() > threshold) {
          above++;
        }
      }
      exceedances += above / 1000.0;
    }
    double rate = exceedances / trials;
    // Expected (n + 1 - 397) / (n + 1) = 0.998%; the old ceil(n q)-th gave 1.25%.
    assertEquals(0.00998, rate, 0.0006, "mean held-out false-positive rate " + rate);
  }

  @Test
  void offerKeepsTheNewestValuesOnceFull() {
    ScoreSample.Builder sample = ScoreSample.newBuilder();
    for (int v = 1; v <= 5; v++) {
      Calibration.offer(sample, v, 3);
    }
    assertEquals(3, sample.getValuesCount());
    assertTrue(sample.getValuesList().containsAll(java.util.List.of(3.0, 4.0, 5.0)));
    assertEquals(5, sample.getSeen());
  }

  @Test
  void refusesAnEmptySample() {
    assertThrows(
        IllegalStateException.class, () -> Calibration.upper(ScoreSample.newBuilder(), 0.01));
  }
}
