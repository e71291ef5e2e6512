package io.advrank.monitor;

import io.advrank.proto.v1.ScoreSample;
import io.advrank.proto.v1.ScoreSampleOrBuilder;
import java.util.Arrays;

/**
 * Thresholds learnt from benign traffic: a detector offers its scores during a warm-up, then alerts
 * on scores above the (1 − fpr) quantile of what it saw, so the expected false-positive rate on
 * traffic like the warm-up's is fpr. The warm-up is assumed benign; attacks during it raise the
 * threshold (fewer alerts), never lower it.
 */
final class Calibration {
  private Calibration() {}

  /**
   * Adds {@code score}; once {@code capacity} scores are kept, the newest replaces the oldest so
   * the sample follows slow changes of benign traffic.
   */
  static void offer(ScoreSample.Builder sample, double score, int capacity) {
    if (sample.getValuesCount() < capacity) {
      sample.addValues(score);
    } else {
      sample.setValues((int) (sample.getSeen() % capacity), score);
    }
    sample.setSeen(sample.getSeen() + 1);
  }

  /** The (1 − fpr) quantile of the sample: the smallest value with at most fpr of it above. */
  static double upper(ScoreSampleOrBuilder sample, double fpr) {
    return quantile(sample, 1 - fpr);
  }

  /** The fpr quantile of the sample: the largest value with at most fpr of it below. */
  static double lower(ScoreSampleOrBuilder sample, double fpr) {
    return quantile(sample, fpr);
  }

  private static double quantile(ScoreSampleOrBuilder sample, double q) {
    int n = sample.getValuesCount();
    if (n == 0) {
      throw new IllegalStateException("no calibration scores yet");
    }
    double[] sorted = sample.getValuesList().stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    int index = (int) Math.ceil(q * n) - 1;
    return sorted[Math.max(0, Math.min(n - 1, index))];
  }
}
