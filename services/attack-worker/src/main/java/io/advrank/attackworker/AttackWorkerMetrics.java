package io.advrank.attackworker;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.function.Supplier;

/**
 * The attack-worker's meters in the process's registry. Prometheus names: {@code
 * advrank_attacks_total{type,outcome,model_version}} (outcome: success, failure, skipped, error),
 * {@code advrank_attack_latency_seconds{type}} (histogram: the PGD batch's wall time per attack),
 * {@code advrank_attack_batch_size} (histogram: images per PGD run), {@code
 * advrank_rank_percentile_before{type,model_version}} and {@code _after{type,model_version}}
 * (summaries, percent), {@code advrank_embedding_shift{type,model_version}} (summary, cosine
 * distance) and {@code advrank_events_forwarded_total{topic}} (every event written to a delivered
 * topic, perturbed or not). Labels are bounded: seven attack types, four outcomes, two topics. Dead
 * letters are counted by {@code DeadLetters}. Callers record a batch only after its transaction
 * commits, so an aborted batch that is replayed is not counted twice.
 */
final class AttackWorkerMetrics {
  private final MeterRegistry registry;
  private final Supplier<String> modelVersion;

  /** {@code modelVersion} gives the version the batch being tallied was attacked with. */
  AttackWorkerMetrics(MeterRegistry registry, Supplier<String> modelVersion) {
    this.registry = registry;
    this.modelVersion = modelVersion;
  }

  void attack(AttackOutcome o) {
    String type = o.attack().type().label();
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
        .tag("model_version", modelVersion.get())
        .register(registry)
        .increment();
    if (o.status() != AttackOutcome.Status.ATTACKED) {
      return;
    }
    Timer.builder("advrank.attack.latency")
        .description("Wall time of the PGD batch an attack ran in, targeting included")
        .tag("type", type)
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(10))
        .maximumExpectedValue(Duration.ofMinutes(2))
        .register(registry)
        .record(Duration.ofNanos(o.latencyMicros() * 1000));
    summary("advrank.rank.percentile.before", "Rank percentile (%) before the attack", type)
        .record(o.result().rankBefore());
    summary("advrank.rank.percentile.after", "Rank percentile (%) after the attack", type)
        .record(o.result().rankAfter());
    summary("advrank.embedding.shift", "Cosine distance d(f(x~), f(x))", type)
        .record(o.result().embeddingShift());
  }

  void batch(int images) {
    DistributionSummary.builder("advrank.attack.batch.size")
        .description("Images per PGD run")
        .publishPercentileHistogram()
        .minimumExpectedValue(1.0)
        .maximumExpectedValue(1024.0)
        .register(registry)
        .record(images);
  }

  void forwarded(String topic) {
    Counter.builder("advrank.events.forwarded")
        .description("Events written to a delivered topic, perturbed or not")
        .tag("topic", topic)
        .register(registry)
        .increment();
  }

  private DistributionSummary summary(String name, String description, String type) {
    return DistributionSummary.builder(name)
        .description(description)
        .tag("type", type)
        .tag("model_version", modelVersion.get())
        .register(registry);
  }
}
