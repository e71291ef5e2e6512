package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The transactional lane's routing without a broker or a model: records in, records sent through a
 * {@link MockProducer}. (Attacked events need a gallery and PGD: AttackWorkerIT.)
 */
class MicroBatchTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 28, 28);

  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

  private MicroBatch batch(Campaign campaign) {
    Clock clock = Clock.systemUTC();
    return new MicroBatch(
        producer,
        new InboundEvents(SPEC, 8192),
        campaign,
        new BatchAttacks(campaign, clock),
        new OutputRecords(() -> "v1", campaign, SPEC),
        new DeadLetters(producer, "attack-worker", registry),
        new AttackWorkerMetrics(registry, () -> "v1"),
        clock);
  }

  @Test
  void forwardsBenignEventsAndCatalogDeletesAndDeadLettersTheRestWithTheirReasons() {
    ConsumerRecord<byte[], byte[]> query = record(Topics.QUERIES.name(), "q-1", event("q-1"));
    ConsumerRecord<byte[], byte[]> garbage =
        record(Topics.QUERIES.name(), "q-2", new byte[] {(byte) 0xff, 1, 2});
    ConsumerRecord<byte[], byte[]> delete = record(Topics.CATALOG.name(), "item-9", null);
    ConsumerRecord<byte[], byte[]> queryTombstone = record(Topics.QUERIES.name(), "q-3", null);
    AtomicBoolean attacked = new AtomicBoolean();

    Runnable tally =
        batch(Campaign.none())
            .process(
                List.of(query, garbage, delete, queryTombstone),
                null,
                task -> attacked.set(true),
                () -> {});

    List<ProducerRecord<byte[], byte[]>> sent = producer.history();
    assertEquals(4, sent.size(), sent.toString());
    assertEquals(Topics.QUERIES_DELIVERED.name(), sent.get(0).topic());
    assertArrayEquals(query.key(), sent.get(0).key());
    assertArrayEquals(query.value(), sent.get(0).value());
    assertDeadLetter(sent.get(1), garbage, "malformed");
    assertEquals(Topics.CATALOG_DELIVERED.name(), sent.get(2).topic());
    assertArrayEquals(delete.key(), sent.get(2).key());
    assertNull(sent.get(2).value());
    assertDeadLetter(sent.get(3), queryTombstone, "invalid");
    assertFalse(attacked.get(), "nothing was chosen: PGD must not run");

    // Metrics count only once the caller's transaction committed.
    assertEquals(0, forwarded());
    tally.run();
    assertEquals(2, forwarded());
  }

  @Test
  void sendsOnlyWhatTheCampaignLeavesAloneDownTheBenignLane() {
    MicroBatch batch = batch(Campaign.parse("CA+ eps=0.1 w=1 fraction=1", 0));

    assertFalse(batch.forwardsAtOnce(record(Topics.CATALOG.name(), "i-1", event("i-1", true))));
    assertTrue(batch.forwardsAtOnce(record(Topics.QUERIES.name(), "q-1", event("q-1"))));
    assertTrue(batch.forwardsAtOnce(record(Topics.CATALOG.name(), "i-2", null)));
    assertFalse(batch.forwardsAtOnce(record(Topics.QUERIES.name(), "q-2", new byte[] {1, 2})));
    assertFalse(batch.forwardsAtOnce(record(Topics.QUERIES.name(), "q-3", null)));
  }

  private double forwarded() {
    return registry.find("advrank.events.forwarded").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static void assertDeadLetter(
      ProducerRecord<byte[], byte[]> letter, ConsumerRecord<byte[], byte[]> source, String reason) {
    assertEquals(Topics.DEAD_LETTER.name(), letter.topic());
    assertArrayEquals(source.key(), letter.key());
    assertEquals(reason, DeadLetters.header(letter.headers(), DeadLetters.REASON));
    assertEquals(source.topic(), DeadLetters.header(letter.headers(), DeadLetters.SOURCE_TOPIC));
  }

  private static byte[] event(String id) {
    return event(id, false);
  }

  private static byte[] event(String id, boolean catalog) {
    return ImageEvent.newBuilder()
        .setEventId("e-" + id)
        .setKind(catalog ? ImageKind.IMAGE_KIND_CATALOG_ITEM : ImageKind.IMAGE_KIND_QUERY)
        .setItemId(id)
        .setPixels(PixelCodec.fromUint8(1, 28, 28, new byte[784]))
        .build()
        .toByteArray();
  }

  private static ConsumerRecord<byte[], byte[]> record(String topic, String key, byte[] value) {
    return new ConsumerRecord<>(topic, 0, 0L, key.getBytes(StandardCharsets.UTF_8), value);
  }
}
