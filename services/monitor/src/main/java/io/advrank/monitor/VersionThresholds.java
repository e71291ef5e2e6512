package io.advrank.monitor;

import io.advrank.core.detection.DetectorThresholds;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The detector thresholds of each model version the monitor has learnt of: the base version's
 * manifest ({@code model.dir}) and every version's manifest on {@code advrank.models} ({@link
 * ManifestReader}). Detectors look up the version that scored each event; a version without
 * thresholds (or a monitor set to {@code calibration.source=live}) is calibrated on live traffic.
 */
public final class VersionThresholds {
  private final Map<String, DetectorThresholds> byVersion = new ConcurrentHashMap<>();
  private final double falsePositiveRate;

  /**
   * Thresholds set for {@code falsePositiveRate} are used; others are ignored (see {@link #put}).
   */
  public VersionThresholds(double falsePositiveRate) {
    this.falsePositiveRate = falsePositiveRate;
  }

  /**
   * Records {@code version}'s thresholds; returns false (and keeps nothing) when they were set for
   * another false-positive rate than the monitor's {@code calibration.fpr}.
   */
  public boolean put(String version, DetectorThresholds thresholds) {
    if (Math.abs(thresholds.falsePositiveRate() - falsePositiveRate) > 1e-12) {
      return false;
    }
    byVersion.put(version, thresholds);
    return true;
  }

  /** The thresholds of {@code version}, if known. */
  public Optional<DetectorThresholds> of(String version) {
    return Optional.ofNullable(byVersion.get(version));
  }

  /** How many versions have thresholds. */
  public int size() {
    return byVersion.size();
  }
}
