package io.advrank.ranker;

import io.advrank.core.detection.FeatureSqueeze;
import io.advrank.runtime.model.SwapStages;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The ranker's meters, registered once in the process's registry. Prometheus names: {@code
 * advrank_rankings_total}, {@code advrank_ranking_latency_seconds} (histogram), {@code
 * advrank_ranking_batch_size} (summary), {@code advrank_catalog_items}, {@code
 * advrank_catalog_index_rebuilds_total}, {@code advrank_squeeze_images_total{kind,background}}, and
 * the hot-swap stages the catalog thread times ({@code
 * advrank_model_swap_stage_seconds{service="ranker",stage}}: wait, reembed, index). The served
 * version ({@code advrank_model_version_info{service="ranker",model_version}}) is kept by the model
 * feed ({@code io.advrank.runtime.model.ModelFeed}), which follows hot swaps. Dead letters are
 * counted by {@code DeadLetters}, the Kafka clients' own metrics (e.g. consumer lag) by {@code
 * KafkaClientMeters}.
 */
final class RankerMetrics {
  final Counter rankings;
  final Timer latency;
  final DistributionSummary batchSize;
  final Counter rebuilds;
  final SwapStages swapStages;
  private final AtomicInteger catalogItems = new AtomicInteger();
  private final MeterRegistry registry;

  RankerMetrics(MeterRegistry registry) {
    this.registry = registry;
    rankings =
        Counter.builder("advrank.rankings").description("Rankings published").register(registry);
    latency =
        Timer.builder("advrank.ranking.latency")
            .description("From receiving a query to publishing its ranking")
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1))
            .maximumExpectedValue(Duration.ofSeconds(10))
            .register(registry);
    batchSize =
        DistributionSummary.builder("advrank.ranking.batch.size")
            .description("Queries embedded and ranked together")
            .register(registry);
    rebuilds =
        Counter.builder("advrank.catalog.index.rebuilds")
            .description("Search index rebuilds after catalog changes")
            .register(registry);
    swapStages = new SwapStages(registry, "ranker");
    Gauge.builder("advrank.catalog.items", catalogItems, AtomicInteger::get)
        .description("Catalog items in the search index")
        .register(registry);
  }

  /**
   * {@code advrank_squeeze_images_total{kind,background}}: images {@code squeeze} scored, with a
   * flat dark or white background ({@code background="flat"}, where the speckle statistic applies)
   * or without one ({@code "none"}, the squeezers alone): detection on a catalog of textured
   * backgrounds is weaker, and this says so instead of degrading silently.
   */
  void squeezeCoverage(String kind, FeatureSqueeze squeeze) {
    for (boolean flat : new boolean[] {true, false}) {
      FunctionCounter.builder("advrank.squeeze.images", squeeze, q -> q.scored(flat))
          .description("Images given a consistency score, by whether they had a flat background")
          .tags("kind", kind, "background", flat ? "flat" : "none")
          .register(registry);
    }
  }

  void catalogItems(int n) {
    catalogItems.set(n);
  }
}
