package io.advrank.monitor;

import io.advrank.core.detection.Thresholds;
import io.advrank.proto.v1.ScoreSample;
import io.advrank.proto.v1.ScoreSampleOrBuilder;

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

  /** {@link Thresholds#upper} of the sample: the rule the version-makers calibrate with too. */
  static double upper(ScoreSampleOrBuilder sample, double fpr) {
    return Thresholds.upper(values(sample), fpr);
  }

  /** {@link Thresholds#lower} of the sample. */
  static double lower(ScoreSampleOrBuilder sample, double fpr) {
    return Thresholds.lower(values(sample), fpr);
  }

  private static double[] values(ScoreSampleOrBuilder sample) {
    return sample.getValuesList().stream().mapToDouble(Double::doubleValue).toArray();
  }
}
