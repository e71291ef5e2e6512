package io.advrank.cli.bench;

import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * Detection quality of one attack type and ε against ground truth: the alert decisions give
 * precision, recall and false-positive rate; the detector scores give ROC-AUC (Mann–Whitney: the
 * probability that an attacked subject scores above a benign one, ties counting half).
 *
 * @param positives attacked subjects (events or items)
 * @param negatives benign subjects
 * @param truePositives attacked subjects with an alert
 * @param falsePositives benign subjects with an alert
 * @param auc ROC-AUC of the scores
 * @param truePositivesBySignal attacked subjects with an alert of each signal (a subject can count
 *     under several)
 * @param falsePositivesBySignal benign subjects with an alert of each signal
 */
record DetectScores(
    String attack,
    double epsilon,
    String unit,
    int positives,
    int negatives,
    int truePositives,
    int falsePositives,
    double auc,
    Map<String, Integer> truePositivesBySignal,
    Map<String, Integer> falsePositivesBySignal) {

  DetectScores {
    truePositivesBySignal = new TreeMap<>(truePositivesBySignal);
    falsePositivesBySignal = new TreeMap<>(falsePositivesBySignal);
  }

  double precision() {
    int alerted = truePositives + falsePositives;
    return alerted == 0 ? Double.NaN : (double) truePositives / alerted;
  }

  double recall() {
    return positives == 0 ? Double.NaN : (double) truePositives / positives;
  }

  double falsePositiveRate() {
    return negatives == 0 ? Double.NaN : (double) falsePositives / negatives;
  }

  /** ROC-AUC of {@code attacked} against {@code benign} scores. */
  static double auc(double[] attacked, double[] benign) {
    if (attacked.length == 0 || benign.length == 0) {
      return Double.NaN;
    }
    double[] sorted = benign.clone();
    Arrays.sort(sorted);
    double wins = 0;
    for (double a : attacked) {
      int below = lowerBound(sorted, a);
      int notAbove = upperBound(sorted, a);
      wins += below + 0.5 * (notAbove - below);
    }
    return wins / ((double) attacked.length * benign.length);
  }

  private static int lowerBound(double[] sorted, double v) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] < v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }

  private static int upperBound(double[] sorted, double v) {
    int lo = 0;
    int hi = sorted.length;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (sorted[mid] <= v) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo;
  }
}
