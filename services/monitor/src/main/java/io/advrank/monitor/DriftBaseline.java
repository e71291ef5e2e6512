package io.advrank.monitor;

import io.advrank.proto.v1.ItemDrift;
import io.advrank.proto.v1.ItemDriftOrBuilder;

/**
 * An item's trailing baseline of sightings per window: exponentially weighted mean and variance
 * (West 1979), m ← m + α(x − m), v ← (1 − α)(v + α(x − m)²), and the drift score of a window
 * against the baseline before it, z = (x − m) / sqrt(max(v, m) + 1). The deviation never falls
 * below the Poisson noise of a count (variance ≥ mean) plus one sighting, so an item seen once
 * after a quiet spell does not score like a surge.
 */
final class DriftBaseline {
  private DriftBaseline() {}

  /** The score of {@code sightings} against the baseline in {@code state}; 0 without a baseline. */
  static double score(ItemDriftOrBuilder state, long sightings) {
    if (state.getWindows() == 0) {
      return 0;
    }
    double mean = state.getBaselineMean();
    double deviation = Math.sqrt(Math.max(state.getBaselineVariance(), mean) + 1);
    return (sightings - mean) / deviation;
  }

  /** Folds a closed window's {@code sightings} into the baseline. */
  static ItemDrift.Builder fold(ItemDrift.Builder state, long sightings, double alpha) {
    if (state.getWindows() == 0) {
      return state.setBaselineMean(sightings).setBaselineVariance(0).setWindows(1);
    }
    double mean = state.getBaselineMean();
    double diff = sightings - mean;
    return state
        .setBaselineMean(mean + alpha * diff)
        .setBaselineVariance((1 - alpha) * (state.getBaselineVariance() + alpha * diff * diff))
        .setWindows(state.getWindows() + 1);
  }
}
