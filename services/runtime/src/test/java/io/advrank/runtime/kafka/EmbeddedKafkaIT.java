package io.advrank.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.Config;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.config.ConfigResource;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A real in-process KRaft broker: topics, protobuf records and transactions. */
class EmbeddedKafkaIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static EmbeddedKafka kafka;
  private static Admin admin;
  private static Set<String> createdAtStart;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    System.out.println("embedded Kafka started in " + kafka.startupTime().toMillis() + " ms");
    admin =
        Admin.create(Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()));
    createdAtStart = Topics.createAll(admin, (short) 1, TIMEOUT);
  }

  @AfterAll
  static void stopBroker() {
    admin.close();
    kafka.close();
  }

  @Test
  void createsEveryTopicOnceAndIsIdempotent() throws Exception {
    assertEquals(Topics.names(), createdAtStart);
    assertEquals(Set.of(), Topics.createAll(admin, (short) 1, TIMEOUT));
    assertTrue(admin.listTopics().names().get().containsAll(Topics.names()));

    var models = new ConfigResource(ConfigResource.Type.TOPIC, Topics.MODELS.name());
    Config config = admin.describeConfigs(List.of(models)).all().get().get(models);
    assertEquals("compact", config.get("cleanup.policy").value());
    int catalogPartitions =
        admin
            .describeTopics(List.of(Topics.CATALOG.name()))
            .allTopicNames()
            .get()
            .get(Topics.CATALOG.name())
            .partitions()
            .size();
    assertEquals(Topics.EVENT_PARTITIONS, catalogPartitions);
  }

  @Test
  void producesAndConsumesAProtobufRecord() {
    ImageEvent event =
        ImageEvent.newBuilder()
            .setEventId("e-1")
            .setKind(ImageKind.IMAGE_KIND_CATALOG_ITEM)
            .setItemId("c-1")
            .setPixels(PixelCodec.fromFloats(1, 2, 2, new float[] {0f, 0.25f, 0.5f, 1f}))
            .build();
    try (var producer = producer(Topics.CATALOG, Map.of())) {
      producer.send(new ProducerRecord<>(Topics.CATALOG.name(), "c-1", event));
    }

    List<ConsumerRecord<String, ImageEvent>> records =
        consume(Topics.CATALOG, "read_uncommitted", 1);

    assertEquals("c-1", records.get(0).key());
    assertEquals(event, records.get(0).value());
  }

  @Test
  void readCommittedConsumerSeesNoAbortedRecords() {
    Topic<String, ImageEvent> topic = Topics.QUERIES;
    Map<String, Object> tx = Map.of(ProducerConfig.TRANSACTIONAL_ID_CONFIG, "it-tx");
    try (var producer = producer(topic, tx)) {
      producer.initTransactions();
      for (String id : List.of("committed-1", "aborted", "committed-2")) {
        producer.beginTransaction();
        producer.send(new ProducerRecord<>(topic.name(), "q", query(id)));
        if (id.equals("aborted")) {
          producer.abortTransaction();
        } else {
          producer.commitTransaction();
        }
      }
    }

    List<String> seen = new ArrayList<>();
    consume(topic, "read_committed", 2).forEach(r -> seen.add(r.value().getEventId()));

    assertEquals(List.of("committed-1", "committed-2"), seen);
  }

  private static ImageEvent query(String id) {
    return ImageEvent.newBuilder().setEventId(id).setKind(ImageKind.IMAGE_KIND_QUERY).build();
  }

  private static <K, V> KafkaProducer<K, V> producer(Topic<K, V> topic, Map<String, Object> extra) {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    // One request in flight (see the ranker's TestKafka): no OUT_OF_ORDER_SEQUENCE_NUMBER loop.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    p.putAll(extra);
    return new KafkaProducer<>(p, topic.keySerde().serializer(), topic.valueSerde().serializer());
  }

  /** Reads from the beginning until {@code count} records arrived, then a little longer. */
  static <K, V> List<ConsumerRecord<K, V>> consume(Topic<K, V> topic, String isolation, int count) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic.name() + "-" + isolation);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, isolation);
    List<ConsumerRecord<K, V>> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(
            p, topic.keySerde().deserializer(), topic.valueSerde().deserializer())) {
      consumer.subscribe(List.of(topic.name()));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      int extraPolls = 2; // an aborted record after the expected ones would show up here
      while (System.nanoTime() < deadline && (out.size() < count || extraPolls-- > 0)) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
