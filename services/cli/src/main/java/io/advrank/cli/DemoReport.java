package io.advrank.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The demo's final summary: the monitor's precision and recall against the ground truth, when
 * alerts started, and the consumer-lag curve; text on stdout, or one JSON object with {@code
 * --json}.
 */
final class DemoReport {
  private DemoReport() {}

  static void print(
      OutputOptions output,
      double seconds,
      DemoSummary summary,
      DetectionScore.Result detection,
      String campaign,
      Path logFile) {
    List<long[]> curve = summary.lagCurve();
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("seconds", Math.round(seconds * 10) / 10.0);
    json.put("campaign", campaign);
    json.put("detection", detection == null ? null : json(detection));
    json.put("lag_curve", curve);
    json.put("log_file", logFile == null ? null : logFile.toString());
    output.print(json, () -> text(seconds, curve, detection, logFile));
  }

  /** Snake-case keys as the other results; null where nothing was counted (never NaN). */
  private static Map<String, Object> json(DetectionScore.Result d) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("precision", orNull(d.precision()));
    out.put("recall", orNull(d.recall()));
    out.put("alerted_subjects", d.alertedSubjects());
    out.put("true_positives", d.truePositives());
    out.put("attacked_subjects", d.attackedSubjects());
    out.put("attacked_alerted", d.attackedFound());
    out.put("recall_effective", orNull(d.effectiveRecall()));
    out.put("effective_attacked_subjects", d.effectiveSubjects());
    out.put("effective_attacked_alerted", d.effectiveFound());
    out.put("effective_shift_points", DetectionScore.EFFECTIVE_SHIFT);
    out.put("recall_by_attack", d.recallByType());
    out.put("recall_by_model_version", d.recallByVersion());
    out.put("first_attack_s", orNull(d.firstAttackSeconds()));
    out.put("first_alert_s", orNull(d.firstAlertSeconds()));
    out.put("first_true_alert_s", orNull(d.firstTrueAlertSeconds()));
    return out;
  }

  private static Double orNull(double v) {
    return Double.isNaN(v) ? null : v;
  }

  private static String text(
      double seconds, List<long[]> curve, DetectionScore.Result d, Path logFile) {
    StringBuilder s = new StringBuilder();
    s.append(String.format(Locale.ROOT, "demo: finished after %.0f s%n", seconds));
    if (d == null) {
      s.append("  detection  monitor off\n");
    } else {
      s.append(
          String.format(
              Locale.ROOT,
              "  detection  precision %.3f (%d of %d alerted subjects were attacked)%n"
                  + "             recall    %.3f (%d of %d subjects attacked before the last %d s"
                  + " were alerted)%n"
                  + "             recall    %.3f on effective attacks (%d of %d subjects whose"
                  + " rank an attack moved %.0f points or more the intended way)%n"
                  + "             first attack at %.1f s, first alert at %.1f s, first alert on an"
                  + " attacked subject at %.1f s%n"
                  + "             recall by attack: %s%n"
                  + "             recall by the model version attacked: %s%n",
              d.precision(),
              d.truePositives(),
              d.alertedSubjects(),
              d.recall(),
              d.attackedFound(),
              d.attackedSubjects(),
              DemoCommand.SETTLE.toSeconds(),
              d.effectiveRecall(),
              d.effectiveFound(),
              d.effectiveSubjects(),
              DetectionScore.EFFECTIVE_SHIFT,
              d.firstAttackSeconds(),
              d.firstAlertSeconds(),
              d.firstTrueAlertSeconds(),
              d.recallByType().entrySet().stream()
                  .map(e -> e.getKey() + " " + e.getValue())
                  .collect(Collectors.joining(", ")),
              d.recallByVersion().entrySet().stream()
                  .map(e -> e.getKey() + " " + e.getValue())
                  .collect(Collectors.joining(", "))));
    }
    if (!curve.isEmpty()) {
      long[] peak = curve.stream().max((a, b) -> Long.compare(a[1], b[1])).orElseThrow();
      s.append(
          String.format(
              Locale.ROOT,
              "  lag        peak %d at %d s, last %d; by time: %s%n",
              peak[1],
              peak[0],
              curve.get(curve.size() - 1)[1],
              curve.stream().map(p -> p[0] + "s " + p[1]).collect(Collectors.joining(", "))));
    }
    if (logFile != null) {
      s.append("  logs       ").append(logFile).append('\n');
    }
    return s.toString();
  }
}
