package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The Prometheus names and labels the dashboards and alert rules query. */
class RankerMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void exposesRankingLatencyHistogram() {
    // The served version's info gauge belongs to the model feed, which follows hot swaps
    // (ModelHotSwapIT, and PipelineIT's scrape).
    RankerMetrics metrics = new RankerMetrics(registry);
    metrics.latency.record(Duration.ofMillis(40));
    metrics.rankings.increment();
    metrics.catalogItems(12);

    String scrape = registry.scrape();
    for (String series :
        List.of(
            "advrank_ranking_latency_seconds_bucket{le=\"0.044739241\"} 1",
            "advrank_ranking_latency_seconds_bucket{le=\"0.039146836\"} 0",
            "advrank_ranking_latency_seconds_count 1",
            "advrank_rankings_total 1.0",
            "advrank_catalog_items 12.0")) {
      assertTrue(scrape.contains(series), series + " missing:\n" + scrape);
    }
    // The old label name is gone: every meter names the version model_version.
    assertFalse(scrape.contains("{version="), scrape);
  }
}
