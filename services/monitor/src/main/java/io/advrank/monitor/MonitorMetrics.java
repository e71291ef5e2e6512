package io.advrank.monitor;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The monitor's meters (names agreed in the cross-team contract): events read per stream,
 * detections (scores over threshold, before deduplication) and alerts per signal, the largest
 * current item drift score, and dead letters (the runtime's {@code advrank.dead.letters}).
 */
public final class MonitorMetrics {
  private final MeterRegistry registry;
  // Stream tasks run on several threads; each reports its own items' largest score.
  private final Map<String, Double> driftMaxByTask = new ConcurrentHashMap<>();

  public MonitorMetrics(MeterRegistry registry) {
    this.registry = registry;
    Gauge.builder("advrank.monitor.item.drift.max", this, MonitorMetrics::driftMax)
        .description("Largest rank-drift score of any item in its last closed window")
        .register(registry);
    // Registered at zero up front, so dashboards and the "detector silent" rule see a series
    // (rate 0) before the first event or alert rather than no data.
    for (String stream : new String[] {"rankings", "catalog"}) {
      events(stream);
    }
    for (String signal : Alerts.SIGNALS) {
      detections(signal);
      alerts(signal);
    }
  }

  void event(String stream) {
    events(stream).increment();
  }

  private Counter events(String stream) {
    return Counter.builder("advrank.monitor.events")
        .description("Records the monitor read, by input stream")
        .tag("stream", stream)
        .register(registry);
  }

  private Counter detections(String signal) {
    return Counter.builder("advrank.monitor.detections")
        .description("Scores over their threshold, before deduplication per window")
        .tag("signal", signal)
        .register(registry);
  }

  private Counter alerts(String signal) {
    return Counter.builder("advrank.monitor.alerts")
        .description("Alerts published, one per subject, signal and window")
        .tag("signal", signal)
        .register(registry);
  }

  void detection(String signal) {
    detections(signal).increment();
  }

  void alert(String signal) {
    alerts(signal).increment();
  }

  void deadLetter(String topic, String reason) {
    Counter.builder("advrank.dead.letters")
        .description("Records sent to the dead-letter topic")
        .tag("topic", topic)
        .tag("reason", reason)
        .register(registry)
        .increment();
  }

  void driftMax(String taskId, double score) {
    driftMaxByTask.put(taskId, score);
  }

  double driftMax() {
    return driftMaxByTask.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
  }
}
