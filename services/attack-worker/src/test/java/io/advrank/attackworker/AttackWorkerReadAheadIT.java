package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shoppers' queries pass a backlog of catalog attacks. Every upload is attacked (CA+), so uploads
 * queue for PGD; queries are benign and forwarded at once. Without pausing the catalog once the
 * read-ahead is full, the queries waited behind every catalog record the consumer had fetched and
 * were forwarded only after hundreds of attacks (the demo forwarded no query for its first ~40 s).
 */
class AttackWorkerReadAheadIT {
  private static final Logger LOG = LoggerFactory.getLogger(AttackWorkerReadAheadIT.class);
  private static final int GALLERY = 100;

  /** Uploads attacked, the gallery's included: far more than the read-ahead (256 at batch 16). */
  private static final int UPLOADS = 700;

  private static final int QUERIES = 20;
  private static final int BATCH = 16;
  private static final Duration TIMEOUT = Duration.ofSeconds(120);

  @Test
  void queriesAreForwardedWhileCatalogAttacksQueue() throws Exception {
    try (EmbeddedKafka kafka = TestKafka.startWithTopics();
        EmbeddingModel model = EmbeddingModel.load(TestKafka.MODEL, Device.cpu())) {
      AttackWorkerSettings settings =
          TestKafka.settings(kafka, "it-read-ahead", "CA+ eps=0.03 w=1 fraction=1", BATCH);
      TestKafka.produce(kafka, Topics.CATALOG, TestKafka.catalog(GALLERY));
      try (AttackWorkerService worker =
              TestKafka.readyWorker(settings, model, new SimpleMeterRegistry());
          KafkaProducer<byte[], byte[]> producer = TestKafka.bytesProducer(kafka);
          KafkaConsumer<byte[], byte[]> out = TestKafka.consumer(kafka, true)) {
        out.subscribe(List.of(Topics.QUERIES_DELIVERED.name(), Topics.RANK_SHIFTS.name()));
        TestKafka.send(
            producer, Topics.CATALOG, TestKafka.catalog(UPLOADS).subList(GALLERY, UPLOADS));
        producer.flush();
        TestKafka.send(producer, Topics.QUERIES, TestKafka.queries(UPLOADS, QUERIES));
        producer.flush();

        int delivered = 0;
        int shifts = 0;
        long deadline = System.nanoTime() + TIMEOUT.toNanos();
        while (delivered < QUERIES && System.nanoTime() < deadline) {
          for (ConsumerRecord<byte[], byte[]> r : out.poll(Duration.ofMillis(50))) {
            if (r.topic().equals(Topics.QUERIES_DELIVERED.name())) {
              delivered++;
            } else {
              shifts++;
            }
          }
          assertTrue(worker.failure().isEmpty(), () -> "worker failed: " + worker.failure());
        }
        LOG.info("all {} queries forwarded after {} of {} attacks", delivered, shifts, UPLOADS);
        assertEquals(QUERIES, delivered, "queries forwarded within " + TIMEOUT);
        int answered = shifts;
        assertTrue(
            answered < UPLOADS / 4,
            () ->
                "the queries waited behind the catalog backlog: forwarded only after "
                    + answered
                    + " of "
                    + UPLOADS
                    + " attacks were published");
      }
    }
  }
}
