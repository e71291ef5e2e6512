package io.advrank.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.ProtoSerde;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The producer against a real broker: every event arrives once, typed and keyed by its id. */
class ProducerIT {
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
    }
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void publishesTheCatalogOnceAndSeededQueriesAtTheRate() throws Exception {
    ProducerSettings settings =
        new ProducerSettings(
            ProducerServiceTest.FIXTURE,
            200,
            0,
            100,
            50,
            Duration.ZERO,
            false,
            3,
            "it-0",
            0,
            new KafkaSettings(kafka.bootstrapServers(), (short) 1),
            ImageShape.FASHION_MNIST,
            ImageEncoding.SOURCE);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    long t0 = System.nanoTime();
    try (ProducerService service = ProducerService.create(settings, Clock.systemUTC(), registry)) {
      service.start();
      assertTrue(service.awaitCompletion(Duration.ofSeconds(30)), "finished");
      assertTrue(service.failure().isEmpty(), () -> "failure: " + service.failure());
    }
    double seconds = (System.nanoTime() - t0) / 1e9;

    List<ConsumerRecord<String, ImageEvent>> catalog = readAll(Topics.CATALOG.name(), 200);
    List<ConsumerRecord<String, ImageEvent>> queries = readAll(Topics.QUERIES.name(), 50);
    assertEquals(200, catalog.size());
    assertEquals(50, queries.size());
    assertEquals(200, distinctKeys(catalog).size(), "one record per catalog item");
    for (ConsumerRecord<String, ImageEvent> r : queries) {
      assertEquals(r.value().getItemId(), r.key());
      assertEquals(
          "advrank.v1.ImageEvent",
          new String(
              r.headers().lastHeader(ProtoSerde.TYPE_HEADER).value(), StandardCharsets.UTF_8));
    }
    assertEquals(
        250.0,
        registry.get("advrank.events.produced").counters().stream()
            .mapToDouble(c -> c.count())
            .sum());
    // 50 queries at 100/s take about 0.5 s after the catalog; allow for a slow machine.
    assertTrue(seconds >= 0.45, "paced: took " + seconds + " s");
    System.out.printf("producer IT: 250 events in %.2f s%n", seconds);
  }

  private static Set<String> distinctKeys(List<ConsumerRecord<String, ImageEvent>> records) {
    Set<String> keys = new HashSet<>();
    records.forEach(r -> keys.add(r.key()));
    return keys;
  }

  private static List<ConsumerRecord<String, ImageEvent>> readAll(String topic, int expected) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<String, ImageEvent>> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            p, new StringDeserializer(), Topics.CATALOG.valueSerde().deserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (out.size() < expected && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
      consumer.poll(Duration.ofMillis(300)).forEach(out::add); // anything extra would show here
    }
    return out;
  }
}
