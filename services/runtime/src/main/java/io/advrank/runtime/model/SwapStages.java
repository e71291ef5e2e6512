package io.advrank.runtime.model;

import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * Where one service's hot swaps spend their time, stage by stage: {@code
 * advrank_model_swap_stage_seconds{service,stage}} (a timer per stage; {@code stage} is one of the
 * bounded {@link Stage} labels). The stages follow one another, so together with {@code
 * advrank_model_swap_latency_seconds} they show what a slow swap waited for. {@link ModelFeed}
 * records the first two, the service that switches the rest.
 */
public final class SwapStages {
  /** The steps of a hot swap, in order. */
  public enum Stage {
    /** From publication until every chunk arrived, was reassembled and its sha256 matched. */
    TRANSFER,
    /** Opening the weights: manifest and sha256 checks, building the network, copying weights. */
    LOAD,
    /** From the hand-over of the loaded version until the service's own loop took it up. */
    WAIT,
    /** Embedding every stored catalog image again with the new version. */
    REEMBED,
    /** Building the new search index from the fresh embeddings and switching to it. */
    INDEX;

    /** The {@code stage} label value. */
    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /** The timer's name in Micrometer's dotted form. */
  public static final String METER = "advrank.model.swap.stage";

  private final MeterRegistry registry;
  private final String service;

  public SwapStages(MeterRegistry registry, String service) {
    this.registry = Objects.requireNonNull(registry, "registry");
    this.service = Objects.requireNonNull(service, "service");
  }

  /** Adds one swap's time in {@code stage}. */
  public void record(Stage stage, long nanos) {
    timer(registry, service, stage).record(Math.max(0, nanos), TimeUnit.NANOSECONDS);
  }

  /** Seconds spent in {@code stage} by {@code service} so far, over all its swaps (0 if none). */
  public static double totalSeconds(MeterRegistry registry, String service, Stage stage) {
    Timer t = registry.find(METER).tag("service", service).tag("stage", stage.label()).timer();
    return t == null ? 0 : t.totalTime(TimeUnit.SECONDS);
  }

  private static Timer timer(MeterRegistry registry, String service, Stage stage) {
    return Timer.builder(METER)
        .description("Time a hot swap spent in each stage, from publication to serving")
        .tag("service", service)
        .tag("stage", stage.label())
        .minimumExpectedValue(Duration.ofMillis(1))
        .maximumExpectedValue(Duration.ofMinutes(1))
        .register(registry);
  }
}
