package io.advrank.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.MalformedRecordException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A garbage record read from a real topic is dead-lettered with its bytes and reason headers. */
class DeadLettersIT {
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
  void deadLetterCarriesOriginalBytesAndReasonHeaders() throws Exception {
    byte[] garbage = {0x0A, (byte) 0xFF, 0x7F};
    try (var producer = bytesProducer()) {
      producer.send(new ProducerRecord<>(Topics.CATALOG.name(), "c-9".getBytes(), garbage)).get();
    }
    ConsumerRecord<byte[], byte[]> bad = readOne(Topics.CATALOG.name());
    MalformedRecordException cause =
        assertThrows(
            MalformedRecordException.class,
            () -> Topics.CATALOG.valueSerde().deserializer().deserialize(bad.topic(), bad.value()));

    try (var producer = bytesProducer()) {
      new DeadLetters(producer, "ranker", new SimpleMeterRegistry())
          .publish(bad, Reason.MALFORMED, cause)
          .get();
    }
    ConsumerRecord<byte[], byte[]> letter = readOne(Topics.DEAD_LETTER.name());

    Headers h = letter.headers();
    assertArrayEquals(garbage, letter.value());
    assertArrayEquals("c-9".getBytes(), letter.key());
    assertEquals("malformed", DeadLetters.header(h, DeadLetters.REASON));
    assertEquals(Topics.CATALOG.name(), DeadLetters.header(h, DeadLetters.SOURCE_TOPIC));
    assertEquals(
        String.valueOf(bad.partition()), DeadLetters.header(h, DeadLetters.SOURCE_PARTITION));
    assertEquals(String.valueOf(bad.offset()), DeadLetters.header(h, DeadLetters.SOURCE_OFFSET));
    assertEquals("ranker", DeadLetters.header(h, DeadLetters.SERVICE));
    assertEquals(
        MalformedRecordException.class.getName(),
        DeadLetters.header(h, DeadLetters.EXCEPTION_CLASS));
    assertEquals(ImageEvent.getDescriptor().getFullName(), cause.expectedType());
  }

  private static KafkaProducer<byte[], byte[]> bytesProducer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    // One request in flight (see the ranker's TestKafka): no OUT_OF_ORDER_SEQUENCE_NUMBER loop.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static ConsumerRecord<byte[], byte[]> readOne(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + topic);
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(topic));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (out.isEmpty() && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    assertEquals(1, out.size(), "records on " + topic);
    return out.get(0);
  }
}
