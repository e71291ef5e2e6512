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

  /**
   * The threshold above which a new benign score falls with probability at most fpr: the k-th
   * smallest of the n sample values with k = ⌈(n + 1)(1 − fpr)⌉ (at most n). A new value from the
   * sample's distribution exceeds the k-th smallest with probability (n + 1 − k) / (n + 1), so this
   * is the smallest order statistic whose expected false-positive rate is at most fpr; the plain
   * ⌈n(1 − fpr)⌉-th lets through up to twice fpr on small samples (5 of 400 instead of 4 in {@code
   * bench detect}).
   */
  static double upper(ScoreSampleOrBuilder sample, double fpr) {
    int n = size(sample);
    return orderStatistic(sample, Math.min(n, (int) Math.ceil((n + 1) * (1 - fpr) - 1e-9)));
  }

  /**
   * The mirror of {@link #upper}: the k-th smallest with k = ⌊(n + 1) fpr⌋ (at least 1), below
   * which a new benign score falls with probability k / (n + 1) ≤ fpr.
   */
  static double lower(ScoreSampleOrBuilder sample, double fpr) {
    int n = size(sample);
    return orderStatistic(sample, Math.max(1, (int) Math.floor((n + 1) * fpr + 1e-9)));
  }

  private static int size(ScoreSampleOrBuilder sample) {
    if (sample.getValuesCount() == 0) {
      throw new IllegalStateException("no calibration scores yet");
    }
    return sample.getValuesCount();
  }

  /** The k-th smallest value, 1-based. */
  private static double orderStatistic(ScoreSampleOrBuilder sample, int k) {
    double[] sorted = sample.getValuesList().stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(sorted);
    return sorted[k - 1];
  }
}
