package io.advrank.defensetrainer;

import java.util.Locale;

/**
 * Whether a candidate may replace its parent: its robustness (mean rank percentile under the probe
 * attacks) must rise by at least {@code minRobustnessGain} percentage points over the parent's, and
 * its R@1 may fall by at most {@code maxRecallDrop} below the <em>root</em>'s (the version the
 * trainer started from). Measuring the R@1 budget from the root, not the parent, keeps a chain of
 * small drops from adding up: EST trades accuracy for robustness with every step.
 */
record Gate(double maxRecallDrop, double minRobustnessGain) {
  /** The gate's answer, with a one-line reason quoting the figures. */
  record Verdict(boolean publish, boolean recallFailed, String reason) {}

  Verdict judge(Figures root, Figures parent, Figures candidate) {
    double gain = candidate.robustness() - parent.robustness();
    double drop = root.recallAt1() - candidate.recallAt1();
    String figures =
        String.format(
            Locale.ROOT,
            "robustness %.2f%% -> %.2f%% (%+.2f pp, need >= %+.2f), R@1 %.4f (root) -> %.4f"
                + " (drop %.4f, allowed %.4f)",
            parent.robustness(),
            candidate.robustness(),
            gain,
            minRobustnessGain,
            root.recallAt1(),
            candidate.recallAt1(),
            drop,
            maxRecallDrop);
    if (drop > maxRecallDrop) {
      return new Verdict(false, true, "rejected: R@1 fell too far; " + figures);
    }
    if (gain < minRobustnessGain) {
      return new Verdict(false, false, "rejected: not more robust; " + figures);
    }
    return new Verdict(true, false, "published: " + figures);
  }
}
