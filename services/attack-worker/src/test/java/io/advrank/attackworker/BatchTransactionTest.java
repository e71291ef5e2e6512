package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.TimeoutException;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The transaction step over Kafka's {@link MockConsumer} and {@link MockProducer}s: records routed
 * as the loop routes them, a batch of invalid events (dead letters, which need no model) sent in a
 * transaction with its offsets, and the benign lane's forwards beside it.
 */
class BatchTransactionTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 28, 28);
  private static final TopicPartition IN = new TopicPartition(Topics.QUERIES.name(), 0);

  private final MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
  private final MockProducer<byte[], byte[]> transactional = producer(true);

  /** Forwards are acknowledged only when the test (or a flush) completes them. */
  private final MockProducer<byte[], byte[]> forwards = producer(false);

  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AttackWorkerMetrics metrics = new AttackWorkerMetrics(registry, () -> "v1");
  private final ForwardPositions positions = new ForwardPositions();
  private final Forwarder forwarder = new Forwarder(forwards, positions);
  private final OffsetCommits commits = new OffsetCommits(positions);
  private final MicroBatch transform = microBatch();
  private final BatchTransaction transaction =
      new BatchTransaction(
          consumer,
          transactional,
          new DeadLetters(transactional, "attack-worker", registry),
          forwarder,
          commits,
          transform,
          metrics::forwarded);
  private final List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();

  BatchTransactionTest() {
    consumer.assign(List.of(IN));
    consumer.updateBeginningOffsets(Map.of(IN, 0L));
    transactional.initTransactions();
  }

  @Test
  void anAbortedTransactionRewindsToTheBatchStartAndTheForwardIsNotSentAgain() {
    List<ConsumerRecord<byte[], byte[]>> records =
        List.of(invalid(0), benign(1), invalid(2), benign(3));
    records.forEach(consumer::addRecord);
    receive();
    assertEquals(List.of(0L, 2L), offsets(pending));
    transactional.commitTransactionException = new KafkaException("coordinator moved");

    assertFalse(transaction.commit(List.copyOf(pending), null, Runnable::run, () -> {}));

    assertTrue(transactional.transactionAborted());
    assertEquals(List.of(), transactional.consumerGroupOffsetsHistory(), "no offset committed");
    assertEquals(0L, consumer.position(IN), "rewound to the batch's first record");
    assertEquals(2, forwards.history().size());

    // The broker hands the same records out again: only the transactional ones are redone.
    transactional.commitTransactionException = null;
    pending.clear();
    records.forEach(consumer::addRecord);
    receive();
    assertEquals(List.of(0L, 2L), offsets(pending));
    assertEquals(2, forwards.history().size(), "forwards of 1 and 3 are not sent twice");

    assertTrue(transaction.commit(List.copyOf(pending), null, Runnable::run, () -> {}));
    assertEquals(4L, committed().offset());
    assertEquals(
        List.of(Topics.DEAD_LETTER.name(), Topics.DEAD_LETTER.name()),
        transactional.history().stream().map(r -> r.topic()).toList());
  }

  @Test
  void theOffsetPassesAForwardOnlyOnceTheBrokerAcknowledgedIt() {
    List.of(benign(0), invalid(1)).forEach(consumer::addRecord);
    receive();
    assertEquals(0L, commits.forForwards().get(IN).offset(), "forward 0 not acknowledged yet");

    assertTrue(transaction.commit(List.copyOf(pending), null, Runnable::run, () -> {}));

    assertTrue(forwards.flushed(), "the transaction waited for the forwards before it");
    OffsetAndMetadata offset = committed();
    assertEquals(2L, offset.offset());
    assertEquals(
        Map.of(new TopicPartition(Topics.QUERIES_DELIVERED.name(), 0), 1L),
        ForwardPositions.decode(offset.metadata()),
        "a successor scans after the acknowledged forward");
  }

  @Test
  void aFailedForwardStopsTheWorkerBeforeAnyOffsetPassesIt() {
    List.of(benign(0), invalid(1)).forEach(consumer::addRecord);
    receive();
    forwards.errorNext(new TimeoutException("delivery timed out"));

    assertThrows(
        IllegalStateException.class,
        () -> transaction.commit(List.copyOf(pending), null, Runnable::run, () -> {}));

    assertFalse(transactional.sentOffsets(), "no offset sent past the lost forward");
    assertFalse(transactional.transactionCommitted());
  }

  /** What the loop does with a poll: each record to its lane. */
  private void receive() {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ZERO)) {
      switch (commits.received(r, transform::forwardsAtOnce)) {
        case RECOVERED -> metrics.recoveredForward();
        case FORWARD -> forwarder.forward(r);
        case TRANSACTION -> pending.add(r);
      }
    }
  }

  private OffsetAndMetadata committed() {
    List<Map<String, Map<TopicPartition, OffsetAndMetadata>>> history =
        transactional.consumerGroupOffsetsHistory();
    assertEquals(1, history.size(), history.toString());
    return history.get(0).values().iterator().next().get(IN);
  }

  private MicroBatch microBatch() {
    Clock clock = Clock.systemUTC();
    Campaign campaign = Campaign.none();
    return new MicroBatch(
        new InboundEvents(SPEC, 8192),
        campaign,
        new BatchAttacks(campaign, clock),
        new OutputRecords(() -> "v1", campaign, SPEC),
        metrics,
        clock);
  }

  private static MockProducer<byte[], byte[]> producer(boolean autoComplete) {
    return new MockProducer<>(
        autoComplete, null, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static List<Long> offsets(List<ConsumerRecord<byte[], byte[]>> records) {
    return records.stream().map(ConsumerRecord::offset).toList();
  }

  private static ConsumerRecord<byte[], byte[]> benign(long offset) {
    byte[] event =
        ImageEvent.newBuilder()
            .setEventId("e-" + offset)
            .setKind(ImageKind.IMAGE_KIND_QUERY)
            .setItemId("q-" + offset)
            .setPixels(PixelCodec.fromUint8(1, 28, 28, new byte[784]))
            .build()
            .toByteArray();
    return record(offset, event);
  }

  private static ConsumerRecord<byte[], byte[]> invalid(long offset) {
    return record(offset, new byte[] {(byte) 0xff, 1, 2});
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset, byte[] value) {
    return new ConsumerRecord<>(
        IN.topic(),
        IN.partition(),
        offset,
        ("q-" + offset).getBytes(StandardCharsets.UTF_8),
        value);
  }
}
