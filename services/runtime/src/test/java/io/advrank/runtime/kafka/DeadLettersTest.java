package io.advrank.runtime.kafka;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.MalformedRecordException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.Headers;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

class DeadLettersTest {
  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final DeadLetters deadLetters = new DeadLetters(producer, "ranker", registry);

  @Test
  void keepsOriginalBytesAndHeadersAndAddsWhy() {
    ConsumerRecord<byte[], byte[]> bad =
        new ConsumerRecord<>("advrank.queries", 2, 41L, bytes("q-1"), new byte[] {(byte) 0xFF});
    bad.headers().add("trace", bytes("abc"));

    deadLetters.publish(
        bad,
        Reason.MALFORMED,
        new MalformedRecordException("advrank.queries", "T", 1, "bad", null));

    ProducerRecord<byte[], byte[]> letter = producer.history().get(0);
    Headers h = letter.headers();
    assertEquals(Topics.DEAD_LETTER.name(), letter.topic());
    assertArrayEquals(bytes("q-1"), letter.key());
    assertArrayEquals(new byte[] {(byte) 0xFF}, letter.value());
    assertEquals("abc", DeadLetters.header(h, "trace"));
    assertEquals("malformed", DeadLetters.header(h, DeadLetters.REASON));
    assertEquals("advrank.queries", DeadLetters.header(h, DeadLetters.SOURCE_TOPIC));
    assertEquals("2", DeadLetters.header(h, DeadLetters.SOURCE_PARTITION));
    assertEquals("41", DeadLetters.header(h, DeadLetters.SOURCE_OFFSET));
    assertEquals("ranker", DeadLetters.header(h, DeadLetters.SERVICE));
    assertEquals(
        MalformedRecordException.class.getName(),
        DeadLetters.header(h, DeadLetters.EXCEPTION_CLASS));
  }

  @Test
  void countsWithBoundedLabels() {
    deadLetters.publish("advrank.catalog", 0, 1, null, new byte[0], null, Reason.INVALID, null);
    deadLetters.publish("advrank.catalog", 0, 2, null, new byte[0], null, Reason.INVALID, null);
    deadLetters.publish("some-item-id-topic", 0, 3, null, null, null, Reason.INVALID, null);

    assertEquals(
        2.0,
        registry
            .get("advrank.dead.letters")
            .tags("topic", "advrank.catalog", "reason", "invalid")
            .counter()
            .count());
    assertEquals(
        1.0, registry.get("advrank.dead.letters").tags("topic", "other").counter().count());
  }

  @Test
  void omitsExceptionHeadersWithoutACause() {
    deadLetters.publish("advrank.catalog", 0, 1, null, new byte[0], null, Reason.UNSUPPORTED, null);

    assertNull(
        DeadLetters.header(producer.history().get(0).headers(), DeadLetters.EXCEPTION_CLASS));
  }

  private static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
