package io.advrank.cli;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.PrintStream;
import java.util.HashMap;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.LongSupplier;

/**
 * The demo's live summary, read from the process's one meter registry: events/s per topic,
 * attacks/s, the mean rank percentile before → after per attack type, dead letters and consumer
 * lag. Rates are differences between two calls.
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
      DistributionSummary after =
          registry
              .find("advrank.rank.percentile.after")
              .tag("type", type)
              .tag("model_version", String.valueOf(version))
              .summary();
      if (before.count() > 0 && after != null) {
        attacks.append(
            String.format(
                "  %s %.1f -> %.1f (n=%d)", type, before.mean(), after.mean(), before.count()));
        any = true;
      }
    }
    out.println(any ? attacks : "        no attacks yet");
    out.println(alerts());
    out.flush();
  }

  /** Alerts raised so far per signal, and the largest current item drift score. */
  private String alerts() {
    Map<String, Double> bySignal = new TreeMap<>();
    for (Meter m : registry.find("advrank.monitor.alerts").meters()) {
      if (m instanceof Counter c) {
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
