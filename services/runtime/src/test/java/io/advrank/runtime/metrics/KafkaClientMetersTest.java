package io.advrank.runtime.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/** Real clients that never connect: Kafka registers their metrics at construction. */
class KafkaClientMetersTest {
  // Nothing listens on the discard port; the clients only try to connect when used.
  private static final String NOWHERE = "127.0.0.1:9";

  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);

  @Test
  void exposesProducerAndConsumerMetricsTaggedByClientUntilClosed() {
    try (KafkaProducer<byte[], byte[]> producer =
            new KafkaProducer<>(
                Map.of(
                    ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    NOWHERE,
                    ProducerConfig.CLIENT_ID_CONFIG,
                    "test-producer"),
                new ByteArraySerializer(),
                new ByteArraySerializer());
        KafkaConsumer<byte[], byte[]> consumer =
            new KafkaConsumer<>(
                Map.of(
                    ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                    NOWHERE,
                    ConsumerConfig.CLIENT_ID_CONFIG,
                    "test-consumer"),
                new ByteArrayDeserializer(),
                new ByteArrayDeserializer())) {
      KafkaClientMeters meters = new KafkaClientMeters(registry);
      meters.bind(producer);
      meters.bind(consumer);

      String scrape = registry.scrape();
      assertTrue(scrape.contains("kafka_producer_record_send_total{"), scrape);
      assertTrue(scrape.contains("client_id=\"test-producer\""), scrape);
      assertTrue(scrape.contains("kafka_consumer_fetch_manager_records_lag_max{"), scrape);
      assertTrue(scrape.contains("client_id=\"test-consumer\""), scrape);

      meters.close();
      assertFalse(registry.scrape().contains("client_id=\"test-producer\""));
      producer.close(Duration.ZERO);
    }
  }
}
