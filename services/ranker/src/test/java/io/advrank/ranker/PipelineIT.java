package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.producer.ImageEncoding;
import io.advrank.producer.ImageShape;
import io.advrank.producer.ProducerService;
import io.advrank.producer.ProducerSettings;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * producer → (copy, standing in for the attack-worker) → ranker on a real broker, with the shipped
 * model: every query gets exactly one ranking, and its best hit is usually of the query's class.
 */
class PipelineIT {
  private static final int CATALOG = 500;
  private static final int QUERIES = 300;

  private static EmbeddedKafka kafka;
  private static EmbeddingModel model;

  @BeforeAll
  static void start() throws Exception {
    kafka = TestKafka.startWithTopics();
    model = EmbeddingModel.load(TestKafka.MODEL, Device.cpu());
  }

  @AfterAll
  static void stop() {
    model.close();
    kafka.close();
  }

  @Test
  void everyQueryGetsExactlyOneRankingTopOneUsuallySameLabel() throws Exception {
    // Queries are held out: a query pixel-identical to a catalog item would be a trivial top-1.
    ProducerSettings producerSettings =
        new ProducerSettings(
            TestKafka.FIXTURE,
            CATALOG,
            0,
            200,
            QUERIES,
            Duration.ZERO,
            true,
            11,
            "it-producer",
            0,
            new KafkaSettings(kafka.bootstrapServers(), (short) 1),
            ImageShape.FASHION_MNIST,
            ImageEncoding.SOURCE);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    try (DeliveryCopier copier = new DeliveryCopier(kafka);
        ProducerService producer =
            ProducerService.create(producerSettings, Clock.systemUTC(), registry)) {
      producer.start();
      awaitCopied(copier, Topics.CATALOG.name(), CATALOG);
      // Started after the catalog is delivered: it must load all of it before answering.
      try (RankerService ranker =
          new RankerService(
              TestKafka.rankerSettings(kafka, "it-ranker"), model, Clock.systemUTC(), registry)) {
        ranker.start();
        assertTrue(ranker.awaitReady(Duration.ofSeconds(20)), "catalog loaded");
        assertEquals(CATALOG, ranker.catalogSize());
        List<RankingResult> rankings = awaitRankings(QUERIES);
        assertTrue(ranker.failure().isEmpty(), () -> "ranker failed: " + ranker.failure());
        check(rankings);
        assertEquals(QUERIES, registry.get("advrank.rankings").counter().count());
        assertEquals(QUERIES, registry.get("advrank.ranking.latency").timer().count());
        assertEquals(CATALOG, registry.get("advrank.catalog.items").gauge().value());
        checkScrape(registry.scrape());
      }
      // Closing the ranker removes its Kafka clients' meters with the clients.
      assertFalse(registry.scrape().contains("client_id=\"advrank-it-ranker-queries\""));
    }
  }

  /** The series the dashboards and alert rules query, as Prometheus scrapes them. */
  private void checkScrape(String scrape) {
    for (String series :
        List.of(
            "advrank_rankings_total " + QUERIES,
            "advrank_ranking_latency_seconds_bucket{le=",
            "advrank_model_version_info{model_version=\""
                + model.version()
                + "\",service=\"ranker\"} 1",
            "advrank_events_produced_total{topic=\"advrank.catalog\"} " + CATALOG,
            // Both services' Kafka clients, each under its own client id.
            "kafka_consumer_fetch_manager_records_consumed_total{client_id=\"advrank-it-ranker-queries\"",
            "kafka_consumer_fetch_manager_records_consumed_total{client_id=\"advrank-it-ranker-catalog\"",
            "kafka_producer_record_send_total{client_id=\"advrank-it-ranker\"",
            "kafka_producer_record_send_total{client_id=\"advrank-it-producer\"")) {
      assertTrue(scrape.contains(series), series + " missing from the scrape");
    }
    // JVM metrics are bound once per process (ProcessRegistry), never by a service.
    assertFalse(scrape.contains("jvm_memory_used_bytes"), "a service bound JVM metrics itself");
  }

  private void check(List<RankingResult> rankings) {
    Map<String, Integer> perQuery = new HashMap<>();
    int sameLabel = 0;
    for (RankingResult r : rankings) {
      perQuery.merge(r.getQueryEventId(), 1, Integer::sum);
      assertEquals(model.version(), r.getModelVersion());
      assertEquals(CATALOG, r.getGallerySize());
      assertEquals(5, r.getHitsCount());
      assertTrue(r.getLatencyMicros() > 0, "latency recorded");
      if (r.getHits(0).getLabel() == r.getQueryLabel()) {
        sameLabel++;
      }
    }
    assertEquals(QUERIES, perQuery.size(), "distinct queries answered");
    assertTrue(perQuery.values().stream().allMatch(n -> n == 1), "exactly one ranking each");
    double top1 = sameLabel / (double) QUERIES;
    assertTrue(top1 >= 0.7, "top-1 same label for " + top1);
    report(rankings, top1);
  }

  private static void report(List<RankingResult> rankings, double top1) {
    long[] micros = rankings.stream().mapToLong(RankingResult::getLatencyMicros).sorted().toArray();
    long first = rankings.stream().mapToLong(RankingResult::getRankedAtMs).min().orElse(0);
    long last = rankings.stream().mapToLong(RankingResult::getRankedAtMs).max().orElse(0);
    System.out.printf(
        "pipeline IT: %d rankings, top-1 same label %.3f, latency p50 %.1f ms p99 %.1f ms max %.1f"
            + " ms, %.0f rankings/s over %d ms%n",
        micros.length,
        top1,
        micros[micros.length / 2] / 1000.0,
        micros[(int) Math.ceil(micros.length * 0.99) - 1] / 1000.0,
        micros[micros.length - 1] / 1000.0,
        micros.length * 1000.0 / Math.max(1, last - first),
        last - first);
    System.out.println("latency µs deciles: " + Arrays.toString(deciles(micros)));
  }

  private static long[] deciles(long[] sorted) {
    long[] out = new long[11];
    for (int i = 0; i <= 10; i++) {
      out[i] = sorted[Math.min(sorted.length - 1, i * sorted.length / 10)];
    }
    return out;
  }

  private static List<RankingResult> awaitRankings(int expected) {
    TestKafka.readUntil(
        kafka, Topics.RANKINGS.name(), r -> r.size() >= expected, Duration.ofSeconds(30));
    // Read everything again for a second more, so that a duplicate ranking would show up.
    List<ConsumerRecord<byte[], byte[]>> records =
        TestKafka.readUntil(kafka, Topics.RANKINGS.name(), r -> false, Duration.ofSeconds(1));
    return records.stream()
        .map(r -> Topics.RANKINGS.valueSerde().deserializer().deserialize(r.topic(), r.value()))
        .toList();
  }

  private static void awaitCopied(DeliveryCopier copier, String topic, int n)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
    while (copier.copied(topic) < n && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(n, copier.copied(topic), "copied from " + topic);
  }
}
