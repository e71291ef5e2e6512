package io.advrank.core.detection;

import java.util.Arrays;

/**
 * The thresholds of a detector from benign scores: order statistics whose expected false-positive
 * rate on fresh benign scores is at most the target. One rule for every place that calibrates: the
 * monitor on live traffic and the version-makers on clean data ({@link CleanCalibration}).
 */
public final class Thresholds {
  private Thresholds() {}

  /**
   * The threshold above which a new benign score falls with probability at most {@code fpr}: the
   * k-th smallest of the n values with k = ⌈(n + 1)(1 − fpr)⌉ (at most n). A new value from the
   * sample's distribution exceeds the k-th smallest with probability (n + 1 − k) / (n + 1), so this
   * is the smallest order statistic whose expected false-positive rate is at most fpr; the plain
   * ⌈n(1 − fpr)⌉-th lets through up to twice fpr on small samples (5 of 400 instead of 4 in {@code
   * bench detect}).
   */
  public static double upper(double[] benign, double fpr) {
    return orderStatistic(benign, upperRank(size(benign, fpr), fpr));
  }

  /** The k of {@link #upper} for n values: ⌈(n + 1)(1 − fpr)⌉, at most n. */
  static int upperRank(int n, double fpr) {
    return Math.min(n, (int) Math.ceil((n + 1) * (1 - fpr) - 1e-9));
  }

  /**
   * The mirror of {@link #upper}: the k-th smallest with k = ⌊(n + 1) fpr⌋ (at least 1), below
   * which a new benign score falls with probability k / (n + 1) ≤ fpr.
   */
  public static double lower(double[] benign, double fpr) {
    int n = size(benign, fpr);
    return orderStatistic(benign, Math.max(1, (int) Math.floor((n + 1) * fpr + 1e-9)));
  }

  private static int size(double[] benign, double fpr) {
    if (!(fpr > 0 && fpr < 0.5)) {
      throw new IllegalArgumentException("false-positive rate must be in (0, 0.5), got " + fpr);
    }
    if (benign.length == 0) {
      throw new IllegalStateException("no calibration scores yet");
    }
    return benign.length;
  }

  /** The k-th smallest value, 1-based. */
  private static double orderStatistic(double[] values, int k) {
    double[] sorted = values.clone();
    Arrays.sort(sorted);
    return sorted[k - 1];
  }
}
