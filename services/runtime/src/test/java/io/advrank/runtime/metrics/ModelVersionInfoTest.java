package io.advrank.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

class ModelVersionInfoTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void exposesTheVersionInUseAsOneSeriesPerService() {
    ModelVersionInfo ranker = new ModelVersionInfo(registry, "ranker", "v1");
    new ModelVersionInfo(registry, "attack-worker", "v1");

    String scrape = registry.scrape();

    assertEquals("v1", ranker.current());
    assertTrue(
        scrape.contains("advrank_model_version_info{model_version=\"v1\",service=\"ranker\"} 1"),
        scrape);
    assertTrue(
        scrape.contains(
            "advrank_model_version_info{model_version=\"v1\",service=\"attack-worker\"} 1"),
        scrape);
  }

  @Test
  void swappingTheModelMovesTheSeriesToTheNewVersion() {
    ModelVersionInfo ranker = new ModelVersionInfo(registry, "ranker", "v1");

    ranker.set("v2");

    String scrape = registry.scrape();
    assertEquals("v2", ranker.current());
    assertTrue(scrape.contains("model_version=\"v2\",service=\"ranker\"} 1"), scrape);
    assertFalse(scrape.contains("model_version=\"v1\""), scrape);
  }
}
