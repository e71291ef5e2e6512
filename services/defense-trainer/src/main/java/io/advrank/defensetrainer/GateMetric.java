package io.advrank.defensetrainer;

import java.util.Locale;

/**
 * The figure the defense-trainer's {@link Gate} requires a candidate to raise ({@value
 * DefenseTrainerSettings#GATE_METRIC}).
 */
public enum GateMetric {
  /** {@link Figures#ROBUSTNESS}: mean rank percentile (%) after the probe attacks. */
  ROBUSTNESS("robustness", "%", " pp"),
  /** {@link Figures#ERS}: robrank's empirical robustness score (0..100). */
  ERS("ERS", "", " points");

  private final String label;
  private final String unit;
  private final String gainUnit;

  GateMetric(String label, String unit, String gainUnit) {
    this.label = label;
    this.unit = unit;
    this.gainUnit = gainUnit;
  }

  /** Parses {@code robustness} or {@code ers}; the message names the setting. */
  public static GateMetric parse(String setting, String text) {
    String t = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
    return switch (t) {
      case "robustness" -> ROBUSTNESS;
      case "ers" -> ERS;
      default ->
          throw new IllegalArgumentException(
              setting + ": must be robustness or ers, was '" + text + "'");
    };
  }

  String label() {
    return label;
  }

  String unit() {
    return unit;
  }

  String gainUnit() {
    return gainUnit;
  }

  double of(Figures f) {
    return this == ERS ? f.ers() : f.robustness();
  }
}
