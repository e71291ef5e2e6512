package io.advrank.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.function.Supplier;

/**
 * The demo's live summary, read from the process's one meter registry: a fixed-width block of five
 * short lines per interval — traffic rates and consumer lag (with the group that lags most), mean
 * rank percentile before → after per attack type, alerts per signal with precision and recall
 * against the ground truth ({@link DetectionScore}), the served model and the defense-trainer, bad
 * input. Rates are differences between two calls, per meter, so a meter that disappears (a swapped
 * model's series) never makes a rate negative.
 */
final class DemoSummary {
  private static final String INDENT = "        ";
  private static final List<String> ATTACK_TYPES = List.of("CA+", "CA-", "SP-QA+", "SP-QA-");

  private final MeterRegistry registry;
  private final Supplier<Map<String, Long>> lag;
  private final Supplier<DetectionScore.Result> detection;
  private final Map<Meter.Id, Double> previous = new HashMap<>();
  private final List<long[]> lagCurve = new ArrayList<>();
  private long previousNanos = System.nanoTime();

  /**
   * @param lag consumer lag per group, null when the broker does not answer
   * @param detection the monitor's scorecard now, or null without a monitor
   */
  DemoSummary(
      MeterRegistry registry,
      Supplier<Map<String, Long>> lag,
      Supplier<DetectionScore.Result> detection) {
    this.registry = registry;
    this.lag = lag;
    this.detection = detection;
  }

  /**
   * Rank shifts the attack-worker has published so far: its attacks counted {@code success} or
   * {@code failure} (both publish a rank shift), tallied once their transaction committed.
   */
  long rankShifts() {
    double n = 0;
    for (Counter c : registry.find("advrank.attacks").counters()) {
      String outcome = c.getId().getTag("outcome");
      if ("success".equals(outcome) || "failure".equals(outcome)) {
        n += c.count();
      }
    }
    return (long) n;
  }

  /** The total lag sampled at each {@link #print}: [seconds since start, lag]. */
  List<long[]> lagCurve() {
    return List.copyOf(lagCurve);
  }

  /** Prints one block; {@code elapsedSeconds} is the demo's age. */
  void print(PrintStream out, double elapsedSeconds) {
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - previousNanos) / 1e9);
    previousNanos = now;
    Map<String, Long> groups = lag.get();
    long total = groups == null ? -1 : groups.values().stream().mapToLong(Long::longValue).sum();
    lagCurve.add(new long[] {Math.round(elapsedSeconds), total});
    out.println(
        String.format(
            Locale.ROOT,
            "[%5.0fs] queries %5.1f/s  ranked %5.1f/s  uploads %5.1f/s  attacks %5.1f/s  lag %s",
            elapsedSeconds,
            rate("advrank.events.produced", "topic", "advrank.queries", seconds),
            rate("advrank.rankings", null, null, seconds),
            rate("advrank.events.produced", "topic", "advrank.catalog", seconds),
            rate("advrank.attacks", null, null, seconds),
            lagText(groups, total)));
    out.println(INDENT + "rank %   " + rankShiftsText());
    out.println(INDENT + "alerts   " + alertsText());
    out.println(INDENT + "model    " + modelsText());
    out.println(INDENT + "bad in   " + badInputText());
    out.flush();
  }

  private static String lagText(Map<String, Long> groups, long total) {
    if (groups == null) {
      return "?";
    }
    var top = groups.entrySet().stream().max(Map.Entry.comparingByValue());
    if (total <= 0 || top.isEmpty()) {
      return Long.toString(total);
    }
    String group = top.get().getKey().replaceFirst("^advrank-", "");
    return String.format(Locale.ROOT, "%d (%s %d)", total, group, top.get().getValue());
  }

  /** Mean rank percentile before → after per attack type over every model version, and n. */
  private String rankShiftsText() {
    StringBuilder line = new StringBuilder();
    for (String type : ATTACK_TYPES) {
      double[] before = pooled("advrank.rank.percentile.before", type);
      double[] after = pooled("advrank.rank.percentile.after", type);
      if (before[1] > 0 && after[1] > 0) {
        line.append(
            String.format(
                Locale.ROOT,
                "%-6s %4.1f -> %4.1f (%d)  ",
                type,
                before[0] / before[1],
                after[0] / after[1],
                (long) before[1]));
      }
    }
    return line.isEmpty() ? "no attacks yet" : line.toString().stripTrailing();
  }

  /** [sum, count] of a distribution over all its series of {@code type}. */
  private double[] pooled(String meter, String type) {
    double[] out = new double[2];
    for (Meter m : registry.find(meter).tag("type", type).meters()) {
      DistributionSummary s = (DistributionSummary) m;
      out[0] += s.totalAmount();
      out[1] += s.count();
    }
    return out;
  }

  private String alertsText() {
    if (registry.find("advrank.monitor.item.drift.max").gauge() == null) {
      return "monitor off";
    }
    Map<String, Double> bySignal = new TreeMap<>();
    for (Meter m : registry.find("advrank.monitor.alerts").meters()) {
      if (m instanceof Counter c && c.count() > 0) {
        bySignal.merge(m.getId().getTag("signal"), c.count(), Double::sum);
      }
    }
    StringBuilder line = new StringBuilder(bySignal.isEmpty() ? "none yet" : "");
    bySignal.forEach(
        (signal, n) -> line.append(String.format(Locale.ROOT, "%s %.0f  ", signal, n)));
    DetectionScore.Result r = detection == null ? null : detection.get();
    if (r != null && r.alertedSubjects() > 0) {
      line.append(
          String.format(Locale.ROOT, "precision %.2f recall %.2f", r.precision(), r.recall()));
    }
    return line.toString().stripTrailing();
  }

  /** The served version (once when every service agrees) and the defense-trainer's decisions. */
  private String modelsText() {
    Map<String, String> byService = new LinkedHashMap<>();
    for (Gauge g : registry.find("advrank.model.version.info").gauges()) {
      if (g.value() == 1) {
        byService.put(g.getId().getTag("service"), g.getId().getTag("model_version"));
      }
    }
    StringBuilder line = new StringBuilder();
    if (new TreeSet<>(byService.values()).size() == 1) {
      line.append(byService.values().iterator().next());
    } else {
      new TreeMap<>(byService).forEach((s, v) -> line.append(s).append('=').append(v).append(' '));
    }
    Counter steps = registry.find("advrank.defense.steps").counter();
    if (steps != null) {
      line.append(
          String.format(
              Locale.ROOT,
              "  trainer %d steps, %d published, %d rejected",
              (long) steps.count(),
              (long) decisions("published"),
              (long) decisions("rejected")));
    }
    return line.toString().strip();
  }

  private double decisions(String decision) {
    Counter c = registry.find("advrank.defense.decisions").tag("decision", decision).counter();
    return c == null ? 0 : c.count();
  }

  /** Dead letters by source topic and reason, and events the producer skipped. */
  private String badInputText() {
    StringBuilder line = new StringBuilder();
    append(line, "dead letters", "advrank.dead.letters");
    append(line, "producer skipped", "advrank.events.refused");
    return line.isEmpty() ? "none" : line.toString().strip();
  }

  private void append(StringBuilder line, String what, String meter) {
    Map<String, Double> counts = new TreeMap<>();
    for (Meter m : registry.find(meter).meters()) {
      if (m instanceof Counter c && c.count() > 0) {
        String topic = String.valueOf(m.getId().getTag("topic")).replaceFirst("^advrank\\.", "");
        counts.merge(topic + " " + m.getId().getTag("reason"), c.count(), Double::sum);
      }
    }
    if (!counts.isEmpty()) {
      line.append(what).append(':');
      counts.forEach((k, n) -> line.append(String.format(Locale.ROOT, " %s %.0f;", k, n)));
      line.setLength(line.length() - 1);
      line.append("  ");
    }
  }

  /**
   * Per-second rate of a counter's series ({@code tag} = {@code value}, or all), each series
   * differenced against its own previous total.
   */
  private double rate(String name, String tag, String value, double seconds) {
    double delta = 0;
    var search = registry.find(name);
    if (tag != null) {
      search = search.tag(tag, value);
    }
    for (Counter c : search.counters()) {
      double total = c.count();
      Double before = previous.put(c.getId(), total);
      delta += total - (before == null ? 0 : before);
    }
    return delta / seconds;
  }
}
