package io.advrank.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The demo's live summary, read from the process's one meter registry: events/s per topic,
 * attacks/s, the mean rank percentile before → after per attack type, dead letters (rate, and
 * totals by topic and reason), events the producer skipped, and consumer lag. Rates are differences
 * between two calls.
 */
final class DemoSummary {
  private final MeterRegistry registry;
  private final LongSupplier lag;
  private final Map<String, Double> previous = new HashMap<>();
  private long previousNanos = System.nanoTime();

  DemoSummary(MeterRegistry registry, LongSupplier lag) {
    this.registry = registry;
    this.lag = lag;
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

  /** Prints one block of lines; {@code elapsedSeconds} is the demo's age. */
  void print(PrintStream out, double elapsedSeconds) {
    long now = System.nanoTime();
    double seconds = Math.max(1e-3, (now - previousNanos) / 1e9);
    previousNanos = now;
    Map<String, Double> rates = new TreeMap<>();
    counter("advrank.events.produced", "topic", rates, seconds);
    counter("advrank.events.forwarded", "topic", rates, seconds);
    counter("advrank.rankings", null, rates, seconds);
    counter("advrank.attacks", null, rates, seconds);
    counter("advrank.dead.letters", null, rates, seconds);
    StringBuilder line = new StringBuilder(String.format("[%5.0fs] events/s", elapsedSeconds));
    rates.forEach((k, v) -> line.append(String.format("  %s %.1f", k, v)));
    line.append(String.format("  lag %d", lag.getAsLong()));
    out.println(line);
    StringBuilder attacks = new StringBuilder("        rank %  before -> after:");
    boolean any = false;
    for (Meter m : registry.find("advrank.rank.percentile.before").meters()) {
      String type = m.getId().getTag("type");
      String version = m.getId().getTag("model_version");
      DistributionSummary before = (DistributionSummary) m;
      var search = registry.find("advrank.rank.percentile.after").tag("type", type);
      DistributionSummary after =
          (version == null ? search : search.tag("model_version", version)).summary();
      if (before.count() > 0 && after != null) {
        attacks.append(
            String.format(
                "  %s%s %.1f -> %.1f (n=%d)",
                type,
                version == null ? "" : "@" + version,
                before.mean(),
                after.mean(),
                before.count()));
        any = true;
      }
    }
    out.println(any ? attacks : "        no attacks yet");
    out.println(alerts());
    out.println(badInput());
    out.println(models());
    out.flush();
  }

  /**
   * Bad input so far: records dead-lettered, by source topic and reason (every service that read
   * one counts it), and events the producer skipped (too large for Kafka, unreadable file).
   */
  private String badInput() {
    StringBuilder line = new StringBuilder("        bad input:");
    int before = line.length();
    append(line, "dead letters", "advrank.dead.letters");
    append(line, "producer skipped", "advrank.events.refused");
    return line.length() == before ? line.append(" none").toString() : line.toString();
  }

  private void append(StringBuilder line, String what, String meter) {
    Map<String, Double> counts = new TreeMap<>();
    for (Meter m : registry.find(meter).meters()) {
      if (m instanceof Counter c && c.count() > 0) {
        counts.merge(
            m.getId().getTag("topic") + " " + m.getId().getTag("reason"), c.count(), Double::sum);
      }
    }
    if (!counts.isEmpty()) {
      line.append("  ").append(what).append(":");
      counts.forEach((k, n) -> line.append(String.format(" %s %.0f;", k, n)));
      line.setLength(line.length() - 1);
    }
  }

  /** Alerts raised so far per signal, and the largest current item drift score. */
  private String alerts() {
    Map<String, Double> bySignal = new TreeMap<>();
    for (Meter m : registry.find("advrank.monitor.alerts").meters()) {
      if (m instanceof Counter c && c.count() > 0) {
        bySignal.merge(m.getId().getTag("signal"), c.count(), Double::sum);
      }
    }
    if (registry.find("advrank.monitor.item.drift.max").gauge() == null) {
      return "        monitor off";
    }
    StringBuilder line = new StringBuilder("        alerts:");
    if (bySignal.isEmpty()) {
      line.append(" none yet");
    }
    bySignal.forEach((signal, n) -> line.append(String.format("  %s %.0f", signal, n)));
    double drift = registry.find("advrank.monitor.item.drift.max").gauge().value();
    return line.append(String.format("  (item drift max %.1f)", drift)).toString();
  }

  /**
   * The version each service serves and the defense-trainer's gate decisions with the figures of
   * the last published version: the hardening loop at a glance.
   */
  private String models() {
    StringBuilder line = new StringBuilder("        model:");
    for (Gauge g : registry.find("advrank.model.version.info").gauges()) {
      if (g.value() == 1) {
        line.append(
            String.format(
                " %s=%s", g.getId().getTag("service"), g.getId().getTag("model_version")));
      }
    }
    double published = decisions("published");
    double rejected = decisions("rejected");
    if (published + rejected > 0 || registry.find("advrank.defense.steps").counter() != null) {
      Counter steps = registry.find("advrank.defense.steps").counter();
      line.append(
          String.format(
              "  trainer: %d EST steps, %d published, %d rejected",
              steps == null ? 0 : (long) steps.count(), (long) published, (long) rejected));
      Gauge r1 = figure("r_at_1");
      Gauge ca = figure("ca_plus_eps0.3");
      if (r1 != null && ca != null) {
        line.append(
            String.format(" (served: R@1 %.3f, probe CA+ eps0.3 %.1f%%)", r1.value(), ca.value()));
      }
    }
    return line.toString();
  }

  private double decisions(String decision) {
    Counter c = registry.find("advrank.defense.decisions").tag("decision", decision).counter();
    return c == null ? 0 : c.count();
  }

  private Gauge figure(String name) {
    return registry
        .find("advrank.defense.figure")
        .tag("model", "parent")
        .tag("figure", name)
        .gauge();
  }

  /** Adds the per-second rate of a counter, split by {@code tag} (or summed), to {@code out}. */
  private void counter(String name, String tag, Map<String, Double> out, double seconds) {
    Map<String, Double> totals = new TreeMap<>();
    for (Meter m : registry.find(name).meters()) {
      if (m instanceof Counter c) {
        String key = shortName(name) + (tag == null ? "" : ":" + shortTopic(m.getId().getTag(tag)));
        totals.merge(key, c.count(), Double::sum);
      }
    }
    totals.forEach(
        (key, total) -> {
          double before = previous.getOrDefault(key, 0.0);
          previous.put(key, total);
          out.put(key, (total - before) / seconds);
        });
  }

  private static String shortName(String meter) {
    return meter.substring(meter.lastIndexOf('.') + 1);
  }

  private static String shortTopic(String topic) {
    return topic == null ? "?" : topic.replaceFirst("^advrank\\.", "");
  }
}
