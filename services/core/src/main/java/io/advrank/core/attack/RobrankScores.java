package io.advrank.core.attack;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * robrank's ten attack figures for one model and its empirical robustness score (ERS), as robrank's
 * {@code tools/pjswipe.py} computes it: each figure is rescaled so that 0 is "fully broken" and
 * larger is more robust, and ERS is their plain mean.
 *
 * <pre>
 * ERS = mean(2·CA+, 100 − CA-, 2·QA+, 100 − QA-, 100·(1 − TMA), 100·(2 − ESD)/2, ESR, LTM, GTM, GTT)
 * </pre>
 *
 * CA± and QA± are rank percentiles in % (w = m = 1; QA± the plain, not the SP, variants), so a
 * perfect defense keeps CA+/QA+ at their clean ≈ 50 and CA-/QA- at ≈ 0; TMA is a cosine similarity
 * in [−1, 1]; ESD a cosine distance in [0, 2]; ESR, LTM and GTM are R@1 in %; GTT is the share (%)
 * of queries whose original top-1 stays in the top 4.
 *
 * @param caPlus CA+ rank percentile (%) after the attack
 * @param caMinus CA- rank percentile (%)
 * @param qaPlus QA+ rank percentile (%)
 * @param qaMinus QA- rank percentile (%)
 * @param tma mean cosine similarity between f(q̃) and the TMA target
 * @param esd mean embedding shift 1 − cos(f(x̃), f(x)) under ES
 * @param esr R@1 (%) of the ES-perturbed queries
 * @param ltm R@1 (%) under LTM
 * @param gtm R@1 (%) under GTM
 * @param gtt retain@4 (%) under GTT
 */
public record RobrankScores(
    double caPlus,
    double caMinus,
    double qaPlus,
    double qaMinus,
    double tma,
    double esd,
    double esr,
    double ltm,
    double gtm,
    double gtt) {
  /** The attacks in robrank's column order. */
  public static final List<String> NAMES =
      List.of("CA+", "CA-", "QA+", "QA-", "TMA", "ESD", "ESR", "LTM", "GTM", "GTT");

  public RobrankScores {
    percent("CA+", caPlus);
    percent("CA-", caMinus);
    percent("QA+", qaPlus);
    percent("QA-", qaMinus);
    percent("ESR", esr);
    percent("LTM", ltm);
    percent("GTM", gtm);
    percent("GTT", gtt);
    if (!(tma >= -1 - 1e-6 && tma <= 1 + 1e-6)) {
      throw new IllegalArgumentException("TMA: a cosine similarity in [-1, 1], was " + tma);
    }
    if (!(esd >= -1e-6 && esd <= 2 + 1e-6)) {
      throw new IllegalArgumentException("ESD: a cosine distance in [0, 2], was " + esd);
    }
  }

  /** The figures in {@link #NAMES} order, as measured. */
  public double[] raw() {
    return new double[] {caPlus, caMinus, qaPlus, qaMinus, tma, esd, esr, ltm, gtm, gtt};
  }

  /** The ten figures rescaled as ERS averages them, in {@link #NAMES} order. */
  public double[] normalised() {
    return new double[] {
      2 * caPlus,
      100 - caMinus,
      2 * qaPlus,
      100 - qaMinus,
      100 * (1 - tma),
      100 * (2 - esd) / 2,
      esr,
      ltm,
      gtm,
      gtt
    };
  }

  /** ERS: the mean of {@link #normalised()}. */
  public double ers() {
    double sum = 0;
    for (double v : normalised()) {
      sum += v;
    }
    return sum / NAMES.size();
  }

  /** Name → raw figure, in {@link #NAMES} order, for JSON. */
  public Map<String, Double> asMap() {
    Map<String, Double> out = new LinkedHashMap<>();
    double[] raw = raw();
    for (int i = 0; i < raw.length; i++) {
      out.put(NAMES.get(i), raw[i]);
    }
    return out;
  }

  private static void percent(String name, double v) {
    if (!(v >= -1e-6 && v <= 100 + 1e-6)) {
      throw new IllegalArgumentException(name + ": a percentage in [0, 100], was " + v);
    }
  }
}
