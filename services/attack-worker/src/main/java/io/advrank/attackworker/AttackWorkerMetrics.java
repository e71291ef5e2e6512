package io.advrank.attackworker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * The attack-worker's meters in the process's registry. Prometheus names: {@code
 * advrank_attacks_total{type,outcome,model_version}} (outcome: success, failure, skipped, error),
 * {@code advrank_attack_latency_seconds{type,model_version}} (histogram: the PGD batch's wall time
 * per attack), {@code advrank_attack_batch_size} (histogram: images per PGD run), {@code
 * advrank_rank_percentile_before{type,model_version}} and {@code _after} (histograms with fixed
 * buckets, percent), {@code advrank_embedding_shift{type,model_version}} (summary, cosine
 * distance), {@code advrank_events_forwarded_total{topic}} (every event written to a delivered
 * topic, perturbed or not), {@code advrank_worker_forwards_recovered_total} (events read again that
 * an earlier owner, or this worker before a rewind, had already forwarded: skipped). Labels are
 * bounded: seven attack types, four outcomes, two topics, the latest {@value #VERSIONS_KEPT} model
 * versions. Dead letters are counted by {@code DeadLetters}, the Kafka clients' metrics by {@code
 * KafkaClientMeters}. Callers record a batch only after its transaction commits, so an aborted
 * batch that is replayed is not counted twice.
 */
final class AttackWorkerMetrics {
  /**
   * Bucket bounds of the rank percentiles (%), finer near the top and bottom of the ranking. Whole
   * numbers only: Micrometer's fixed-boundary histograms round a value up to a whole number before
   * bucketing it, which is exact for whole-number bounds (v ≤ k iff ⌈v⌉ ≤ k) and wrong otherwise.
   * For the same reason the embedding shift (a cosine distance in [0, 2]) is a plain summary.
   */
  private static final double[] PERCENT_BUCKETS = {
    1, 2, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 98, 99, 100
  };

  /**
   * Model versions whose series are kept: the defense-trainer publishes versions for as long as it
   * runs, and a label per version ever served would grow the registry (and Prometheus) without
   * bound. When a version beyond the latest {@value} is first tallied, every series of the oldest
   * one kept is removed; the served version is always on {@code advrank_model_version_info}.
   */
  static final int VERSIONS_KEPT = 3;

  /** The meters labelled by {@code model_version}. */
  private static final List<String> BY_VERSION =
      List.of(
          "advrank.attacks",
          "advrank.attack.latency",
          "advrank.rank.percentile.before",
          "advrank.rank.percentile.after",
          "advrank.embedding.shift");

  private final MeterRegistry registry;
  private final Supplier<String> modelVersion;
  private final Deque<String> versions = new ArrayDeque<>();

  /** {@code modelVersion} gives the version the batch being tallied was attacked with. */
  AttackWorkerMetrics(MeterRegistry registry, Supplier<String> modelVersion) {
    this.registry = registry;
    this.modelVersion = modelVersion;
  }

  void attack(AttackOutcome o) {
    String type = o.attack().type().label();
    String version = modelVersion.get();
    keepSeriesOf(version);
    String outcome =
        switch (o.status()) {
          case ATTACKED -> o.result().success() ? "success" : "failure";
          case SKIPPED -> "skipped";
          case FAILED -> "error";
        };
    Counter.builder("advrank.attacks")
        .description("Attacks by type and outcome")
        .tag("type", type)
        .tag("outcome", outcome)
        .tag("model_version", version)
        .register(registry)
        .increment();
    if (o.status() != AttackOutcome.Status.ATTACKED) {
      return;
    }
    Timer.builder("advrank.attack.latency")
        .description("Wall time of the PGD batch an attack ran in, targeting included")
        .tag("type", type)
        .tag("model_version", version)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(Duration.ofMinutes(2))
        .register(registry)
        .record(Duration.ofNanos(o.latencyMicros() * 1000));
    String before = "Rank percentile (%) before the attack";
    percentHistogram("advrank.rank.percentile.before", before, type, version)
        .record(o.result().rankBefore());
    String after = "Rank percentile (%) after the attack";
    percentHistogram("advrank.rank.percentile.after", after, type, version)
        .record(o.result().rankAfter());
    String shift = "Cosine distance d(f(x~), f(x))";
    DistributionSummary.builder("advrank.embedding.shift")
        .description(shift)
        .tag("type", type)
        .tag("model_version", version)
        .register(registry)
        .record(o.result().embeddingShift());
  }

  /** One PGD run: how many images it attacked and its wall time, target planning included. */
  void batch(int images, long micros) {
    DistributionSummary.builder("advrank.attack.batch.size")
        .description("Images per PGD run")
        .publishPercentileHistogram()
        .minimumExpectedValue(1.0)
        .maximumExpectedValue(1024.0)
        .register(registry)
        .record(images);
    Timer.builder("advrank.attack.batch.duration")
        .description("Wall time of one PGD run, target planning included")
        .register(registry)
        .record(micros, TimeUnit.MICROSECONDS);
  }

  void forwarded(String topic) {
    Counter.builder("advrank.events.forwarded")
        .description("Events written to a delivered topic, perturbed or not")
        .tag("topic", topic)
        .register(registry)
        .increment();
  }

  void recoveredForward() {
    Counter.builder("advrank.worker.forwards.recovered")
        .description("Events read again that were already forwarded, skipped (not delivered twice)")
        .register(registry)
        .increment();
  }

  /**
   * Tracks {@code version} and drops the series of the oldest one beyond {@link #VERSIONS_KEPT}.
   */
  private synchronized void keepSeriesOf(String version) {
    if (versions.contains(version)) {
      return;
    }
    versions.addLast(version);
    while (versions.size() > VERSIONS_KEPT) {
      String old = versions.removeFirst();
      for (String name : BY_VERSION) {
        for (Meter m : registry.find(name).tag("model_version", old).meters()) {
          registry.remove(m);
        }
      }
    }
  }

  private DistributionSummary percentHistogram(
      String name, String description, String type, String version) {
    return DistributionSummary.builder(name)
        .description(description)
        .tag("type", type)
        .tag("model_version", version)
        .serviceLevelObjectives(PERCENT_BUCKETS)
        .register(registry);
  }
}
