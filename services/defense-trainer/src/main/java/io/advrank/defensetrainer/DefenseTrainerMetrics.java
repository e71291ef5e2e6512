package io.advrank.defensetrainer;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The defense-trainer's meters. Prometheus names: {@code advrank_defense_steps_total}, {@code
 * advrank_defense_step_seconds} (EST step), {@code advrank_defense_evaluation_seconds}, {@code
 * advrank_defense_buffer_images}, {@code advrank_defense_variants_total} (adversarial variants
 * trained on), {@code advrank_defense_decisions_total{decision}} (published, rejected) and {@code
 * advrank_defense_figure{model,figure}} (model: parent, candidate; figure: r_at_1, robustness and
 * one per probe attack, e.g. ca_plus_eps0.3). All labels are bounded.
 */
final class DefenseTrainerMetrics {
  private final MeterRegistry registry;
  final Counter steps;
  final Counter variants;
  final Timer stepTime;
  final Timer evaluationTime;
  private final AtomicLong bufferImages = new AtomicLong();
  private final Map<String, AtomicLong> figures = new ConcurrentHashMap<>();

  DefenseTrainerMetrics(MeterRegistry registry) {
    this.registry = registry;
    steps = Counter.builder("advrank.defense.steps").description("EST steps").register(registry);
    variants =
        Counter.builder("advrank.defense.variants")
            .description("Adversarial variants added to the training buffer")
            .register(registry);
    stepTime =
        Timer.builder("advrank.defense.step")
            .description("Wall time of one EST step (ES-PGD and the triplet update)")
            .register(registry);
    evaluationTime =
        Timer.builder("advrank.defense.evaluation")
            .description("Wall time of evaluating one model (R@1 and the probe attacks)")
            .maximumExpectedValue(Duration.ofMinutes(10))
            .register(registry);
    Gauge.builder("advrank.defense.buffer.images", bufferImages, AtomicLong::get)
        .description("Images in the rolling training buffer")
        .register(registry);
  }

  void bufferImages(int n) {
    bufferImages.set(n);
  }

  void decision(boolean published) {
    Counter.builder("advrank.defense.decisions")
        .description("Gate decisions on candidate versions")
        .tag("decision", published ? "published" : "rejected")
        .register(registry)
        .increment();
  }

  /** Sets the gauges of one model's figures ({@code model}: parent or candidate). */
  void figures(String model, Figures f) {
    f.values()
        .forEach(
            (name, value) ->
                figures
                    .computeIfAbsent(
                        model + "/" + name,
                        k -> {
                          AtomicLong bits = new AtomicLong();
                          Gauge.builder(
                                  "advrank.defense.figure",
                                  bits,
                                  b -> Double.longBitsToDouble(b.get()))
                              .description("Evaluation figures: R@1, rank percentiles (%)")
                              .tag("model", model)
                              .tag("figure", name)
                              .register(registry);
                          return bits;
                        })
                    .set(Double.doubleToLongBits(value)));
  }
}
