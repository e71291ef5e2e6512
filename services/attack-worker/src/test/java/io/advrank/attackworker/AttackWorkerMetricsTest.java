package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.attack.AttackResult;
import io.advrank.proto.v1.ImageEvent;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** The Prometheus names and labels the dashboards and alert rules query. */
class AttackWorkerMetricsTest {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final AtomicReference<String> version = new AtomicReference<>("v7");
  private final AttackWorkerMetrics metrics = new AttackWorkerMetrics(registry, version::get);
  private final CampaignAttack caPlus =
      Campaign.parse("CA+ eps=0.1 w=1 fraction=0.5", 1).attacks().get(0);

  private static InboundEvent event() {
    return new InboundEvent(
        new ConsumerRecord<>("advrank.catalog", 0, 0, new byte[0], new byte[0]),
        ImageEvent.getDefaultInstance(),
        new float[0],
        true,
        0);
  }

  private AttackOutcome attacked(double before, double after, boolean success) {
    AttackResult result = new AttackResult(new float[0], before, after, 0.04, 0.1, success);
    return new AttackOutcome(
        event(), caPlus, AttackOutcome.Status.ATTACKED, result, List.of(), 8, 250_000, "", null);
  }

  @Test
  void countsAttacksByTypeOutcomeAndModelVersion() {
    metrics.attack(attacked(50, 2, true));
    metrics.attack(attacked(50, 60, false));
    metrics.attack(AttackOutcome.skipped(event(), caPlus, "gallery too small"));
    metrics.attack(AttackOutcome.failed(event(), caPlus, new IllegalStateException("boom")));

    String scrape = registry.scrape();
    for (String outcome : List.of("success", "failure", "skipped", "error")) {
      String series =
          "advrank_attacks_total{model_version=\"v7\",outcome=\"%s\",type=\"CA+\"} 1.0"
              .formatted(outcome);
      assertTrue(scrape.contains(series), series + " missing:\n" + scrape);
    }
  }

  @Test
  void publishesHistogramsThatHistogramQuantileCanUse() {
    metrics.attack(attacked(50, 1.5, true));
    metrics.batch(8, 1_500_000);

    String scrape = registry.scrape();
    String tags = "model_version=\"v7\",type=\"CA+\"";
    for (String series :
        List.of(
            "advrank_attack_latency_seconds_bucket{" + tags + ",le=\"0.268435456\"} 1",
            "advrank_rank_percentile_before_bucket{" + tags + ",le=\"50.0\"} 1",
            "advrank_rank_percentile_before_bucket{" + tags + ",le=\"40.0\"} 0",
            "advrank_rank_percentile_after_bucket{" + tags + ",le=\"2.0\"} 1",
            "advrank_rank_percentile_after_bucket{" + tags + ",le=\"1.0\"} 0",
            "advrank_embedding_shift_sum{" + tags + "} 0.04",
            "advrank_attack_batch_size_bucket{le=\"8.0\"} 1",
            "advrank_attack_batch_duration_seconds_count 1",
            "advrank_attack_batch_duration_seconds_sum 1.5")) {
      assertTrue(scrape.contains(series), series + " missing:\n" + scrape);
    }
  }

  @Test
  void tagsAttacksWithTheModelVersionInUse() {
    metrics.attack(attacked(50, 2, true));
    version.set("v8");
    metrics.attack(attacked(50, 2, true));

    String scrape = registry.scrape();
    assertTrue(scrape.contains("advrank_attacks_total{model_version=\"v7\""), scrape);
    assertTrue(scrape.contains("advrank_attacks_total{model_version=\"v8\""), scrape);
    assertTrue(scrape.contains("advrank_rank_percentile_after_count{model_version=\"v8\""), scrape);
  }

  @Test
  void keepsTheSeriesOfTheLatestVersionsOnly() {
    for (int v = 1; v <= 20; v++) {
      version.set("v" + v);
      metrics.attack(attacked(50, 2, true));
    }
    // Every label's values stay bounded however many versions the trainer publishes.
    Map<String, Set<String>> values = new HashMap<>();
    registry
        .getMeters()
        .forEach(
            m ->
                m.getId()
                    .getTags()
                    .forEach(
                        t ->
                            values
                                .computeIfAbsent(t.getKey(), k -> new TreeSet<>())
                                .add(t.getValue())));
    assertEquals(Set.of("v18", "v19", "v20"), values.get("model_version"));
    for (Map.Entry<String, Set<String>> label : values.entrySet()) {
      assertTrue(label.getValue().size() <= 7, label.toString());
    }
    String scrape = registry.scrape();
    assertTrue(scrape.contains("model_version=\"v20\""), scrape);
    assertTrue(!scrape.contains("model_version=\"v17\""), "v17's series removed:\n" + scrape);
  }
}
