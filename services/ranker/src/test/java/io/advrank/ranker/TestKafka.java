package io.advrank.ranker;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.advrank.serving.DeviceChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/** Broker plumbing shared by the ranker's ITs: topics, raw producers and readers, settings. */
final class TestKafka {
  static final Path MODEL = Path.of("../../models/fmnist-c2f1");
  static final Path FIXTURE = Path.of("../core/src/test/resources/fixtures/fashion-mnist-mini");

  private TestKafka() {}

  static EmbeddedKafka startWithTopics() {
    EmbeddedKafka kafka = EmbeddedKafka.start();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
    }
    return kafka;
  }

  static RankerSettings rankerSettings(EmbeddedKafka kafka, String id) {
    return new RankerSettings(
        MODEL,
        5,
        32,
        Duration.ofMillis(10),
        256,
        100,
        Duration.ofMillis(200),
        "it-rankers",
        id,
        0,
        new KafkaSettings(kafka.bootstrapServers(), (short) 1),
        DeviceChoice.parse("cpu"),
        ModelTrust.NONE);
  }

  static KafkaProducer<byte[], byte[]> bytesProducer(EmbeddedKafka kafka) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    // One request in flight: a batch retried after NOT_LEADER_OR_FOLLOWER on a fresh topic must
    // reach the broker before its successors, or the broker, its first append already holding,
    // answers OUT_OF_ORDER_SEQUENCE_NUMBER forever (RankerDeadLetterIT, once in CI).
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  static KafkaConsumer<byte[], byte[]> bytesConsumer(EmbeddedKafka kafka, List<String> topics) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(topics);
    return consumer;
  }

  /** Reads {@code topic} until {@code done} holds for what was read, or the timeout passes. */
  static List<ConsumerRecord<byte[], byte[]>> readUntil(
      EmbeddedKafka kafka,
      String topic,
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done,
      Duration timeout) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (var consumer = bytesConsumer(kafka, List.of(topic))) {
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(out) && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(100)).forEach(out::add);
      }
    }
    return out;
  }
}
