package io.advrank.ranker;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.ProducerRecord;

/**
 * Stands in for the attack-worker in tests: forwards {@code advrank.catalog} and {@code
 * advrank.queries} to their {@code .delivered} topics unchanged, byte for byte.
 */
final class DeliveryCopier implements AutoCloseable {
  private static final Map<String, String> ROUTES =
      Map.of(
          Topics.CATALOG.name(), Topics.CATALOG_DELIVERED.name(),
          Topics.QUERIES.name(), Topics.QUERIES_DELIVERED.name());

  private final Map<String, AtomicInteger> copied = new ConcurrentHashMap<>();
  private final Thread thread;
  private volatile boolean running = true;

  DeliveryCopier(EmbeddedKafka kafka) {
    ROUTES.keySet().forEach(t -> copied.put(t, new AtomicInteger()));
    thread = new Thread(() -> copy(kafka), "it-copier");
    thread.start();
  }

  /** Records forwarded from {@code topic} so far. */
  int copied(String topic) {
    return copied.get(topic).get();
  }

  private void copy(EmbeddedKafka kafka) {
    try (var consumer = TestKafka.bytesConsumer(kafka, List.copyOf(ROUTES.keySet()));
        var producer = TestKafka.bytesProducer(kafka)) {
      while (running) {
        var records = consumer.poll(Duration.ofMillis(50));
        for (ConsumerRecord<byte[], byte[]> r : records) {
          producer.send(
              new ProducerRecord<>(ROUTES.get(r.topic()), null, r.key(), r.value(), r.headers()));
        }
        producer.flush();
        records.forEach(r -> copied.get(r.topic()).incrementAndGet());
      }
    }
  }

  @Override
  public void close() throws InterruptedException {
    running = false;
    thread.join(10_000);
  }
}
