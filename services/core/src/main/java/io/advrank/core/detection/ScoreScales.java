package io.advrank.core.detection;

/**
 * Fixed scales of the raw scores, measured on clean images when a model version is made ({@link
 * CleanCalibration}: each score's own clean threshold at the version's false-positive rate;
 * versions calibrated before it stored clean medians) and kept in its manifest; 0 = not measured
 * (that scale is then the running median of {@link FeatureSqueeze}). With them the score of an
 * image no longer depends on the traffic before it: live medians drift up when a large share of the
 * traffic is attacked (a campaign hijacking 30 % of the queries lifts the query median to the clean
 * 71st percentile), which lowers every score; and a tail, unlike a median, keeps a score whose
 * clean distribution is very skewed (4-bit rounding on a hardened model) from setting the joint
 * threshold far above the others' attacked values.
 *
 * @param depthFlat 4-bit squeezer's scale on photos with a flat background
 * @param depthNone the same without one
 * @param medianFlat 2×2 median filter's scale with a flat background (catalog photos)
 * @param medianNone the same without one
 * @param speckle background-speckle statistic's scale
 * @param chroma colour-noise statistic's scale (RGB models; 0 in versions calibrated before it)
 */
public record ScoreScales(
    double depthFlat,
    double depthNone,
    double medianFlat,
    double medianNone,
    double speckle,
    double chroma) {

  /** Scales without the colour-noise statistic's (grey models, and versions made before it). */
  public ScoreScales(
      double depthFlat, double depthNone, double medianFlat, double medianNone, double speckle) {
    this(depthFlat, depthNone, medianFlat, medianNone, speckle, 0);
  }
}
