package io.advrank.defensetrainer;

import java.util.Locale;

/**
 * Whether a candidate may replace its parent: its robustness score must rise by at least {@code
 * minGain} points over the parent's, and its R@1 may fall by at most {@code maxRecallDrop} below
 * the <em>root</em>'s (the version the trainer started from). Measuring the R@1 budget from the
 * root, not the parent, keeps a chain of small drops from adding up: EST trades accuracy for
 * robustness with every step.
 *
 * <p>The score is the {@link GateMetric}: the mean rank percentile under the probe attacks (the
 * default), or robrank's ERS over its whole attack suite on the probe set.
 */
record Gate(double maxRecallDrop, double minGain, GateMetric metric) {
  /** The paper's probe robustness gate. */
  Gate(double maxRecallDrop, double minGain) {
    this(maxRecallDrop, minGain, GateMetric.ROBUSTNESS);
  }

  /** The gate's answer, with a one-line reason quoting the figures. */
  record Verdict(boolean publish, boolean recallFailed, String reason) {}

  Verdict judge(Figures root, Figures parent, Figures candidate) {
    double gain = metric.of(candidate) - metric.of(parent);
    double drop = root.recallAt1() - candidate.recallAt1();
    String figures =
        String.format(
            Locale.ROOT,
            "%s %.2f%s -> %.2f%s (%+.2f%s, need >= %+.2f), R@1 %.4f (root) -> %.4f"
                + " (drop %.4f, allowed %.4f)",
            metric.label(),
            metric.of(parent),
            metric.unit(),
            metric.of(candidate),
            metric.unit(),
            gain,
            metric.gainUnit(),
            minGain,
            root.recallAt1(),
            candidate.recallAt1(),
            drop,
            maxRecallDrop);
    if (drop > maxRecallDrop) {
      return new Verdict(false, true, "rejected: R@1 fell too far; " + figures);
    }
    if (gain < minGain) {
      return new Verdict(false, false, "rejected: not more robust; " + figures);
    }
    return new Verdict(true, false, "published: " + figures);
  }
}
