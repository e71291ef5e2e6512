package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.advrank.attackworker.OffsetCommits.Lane;
import io.advrank.attackworker.RecoveryScan.Source;
import io.advrank.runtime.topic.Topics;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The rebalance listener over Kafka's {@link MockConsumer}s (the work consumer, whose {@code
 * rebalance} calls it, and the recovery scan's reader) and a {@link MockProducer} for forwards.
 */
class PartitionHandOverTest {
  private static final TopicPartition IN = new TopicPartition(Topics.QUERIES.name(), 0);
  private static final TopicPartition IN_2 = new TopicPartition(Topics.QUERIES.name(), 1);
  private static final TopicPartition OUT = new TopicPartition(Topics.QUERIES_DELIVERED.name(), 0);

  private final List<Map<TopicPartition, OffsetAndMetadata>> commitSyncs = new ArrayList<>();

  /** Records each synchronous commit: a MockConsumer reports none for an unassigned partition. */
  private final MockConsumer<byte[], byte[]> consumer =
      new MockConsumer<>("earliest") {
        @Override
        public synchronized void commitSync(Map<TopicPartition, OffsetAndMetadata> offsets) {
          commitSyncs.add(Map.copyOf(offsets));
          super.commitSync(offsets);
        }
      };

  private final MockConsumer<byte[], byte[]> scan = new MockConsumer<>("earliest");
  private final MockProducer<byte[], byte[]> forwards =
      new MockProducer<>(false, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final ForwardPositions positions = new ForwardPositions();
  private final Forwarder forwarder = new Forwarder(forwards, positions);
  private final OffsetCommits commits = new OffsetCommits(positions);
  private final PendingBatch pending = new PendingBatch(16, Duration.ofMillis(50));
  private final List<String> counted = new ArrayList<>();

  PartitionHandOverTest() {
    BatchTransaction transaction =
        new BatchTransaction(
            consumer, new MockProducer<>(), null, forwarder, commits, null, counted::add);
    consumer.subscribe(
        List.of(Topics.QUERIES.name()),
        new PartitionHandOver(
            consumer,
            forwarder,
            new RecoveryScan(scan, Duration.ofSeconds(5)),
            commits,
            pending,
            transaction,
            counted::add));
    consumer.updateBeginningOffsets(Map.of(IN, 0L, IN_2, 0L));
  }

  @Test
  void aNewOwnerSkipsWhatItsPredecessorForwardedAfterItsLastCommit() {
    // The predecessor committed 2, saying its later forwards start at 10 of the delivered topic,
    // then forwarded inputs 3 and 5 (at 10 and 11) and died.
    consumer.commitSync(Map.of(IN, new OffsetAndMetadata(2, positions(Map.of(OUT, 10L)))));
    scan.updateEndOffsets(Map.of(OUT, 12L));
    scan.schedulePollTask(
        () -> {
          scan.addRecord(forwardOf(3, 10));
          scan.addRecord(forwardOf(5, 11));
        });

    commitSyncs.clear();

    consumer.rebalance(List.of(IN));

    for (long offset = 2; offset <= 5; offset++) {
      consumer.addRecord(record(IN, offset));
    }
    List<Lane> lanes = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ZERO)) {
      lanes.add(commits.received(r, any -> true));
    }
    assertEquals(List.of(Lane.FORWARD, Lane.RECOVERED, Lane.FORWARD, Lane.RECOVERED), lanes);
    assertEquals(List.of(), commitSyncs, "committed before: no first commit");
  }

  @Test
  void aPartitionNeverCommittedGetsAFirstCommitSoASuccessorKnowsWhereToScan() {
    positions.start(Map.of(OUT, 7L));
    assertNull(consumer.committed(Set.of(IN)).get(IN));

    consumer.rebalance(List.of(IN));

    OffsetAndMetadata first = consumer.committed(Set.of(IN)).get(IN);
    assertEquals(0L, first.offset());
    assertEquals(Map.of(OUT, 7L), ForwardPositions.decode(first.metadata()));
  }

  @Test
  void aRevokedPartitionCommitsWhatItsForwardsSettledAndIsForgotten() {
    consumer.rebalance(List.of(IN, IN_2));
    consumer.addRecord(record(IN, 0)); // benign: forwarded, not acknowledged yet
    consumer.addRecord(record(IN, 1)); // to attack: waits for a transaction
    consumer.addRecord(record(IN_2, 0)); // to attack
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ZERO)) {
      if (commits.received(r, in -> in.partition() == 0 && in.offset() == 0) == Lane.FORWARD) {
        forwarder.forward(r);
      } else {
        pending.add(r, 0);
      }
    }

    commitSyncs.clear();

    consumer.rebalance(List.of(IN_2));

    // The forward of 0 landed (flushed) before the commit, which stops at the pending attack.
    assertEquals(List.of(Set.of(IN)), commitSyncs.stream().map(Map::keySet).toList());
    OffsetAndMetadata committed = commitSyncs.get(0).get(IN);
    assertEquals(1L, committed.offset());
    assertEquals(Map.of(OUT, 1L), ForwardPositions.decode(committed.metadata()));
    assertEquals(List.of(Topics.QUERIES_DELIVERED.name()), counted);
    assertEquals(
        List.of(IN_2.partition()), pending.next().stream().map(r -> r.partition()).toList());
    assertEquals(Map.of(), commits.forForwards(List.of(IN)), "nothing left of the revoked one");
  }

  private static String positions(Map<TopicPartition, Long> from) {
    ForwardPositions p = new ForwardPositions();
    p.start(from);
    return p.encode(Map.of());
  }

  private static ConsumerRecord<byte[], byte[]> forwardOf(long input, long at) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(
        OutputRecords.FORWARDED_FROM,
        new Source(IN, input).encode().getBytes(StandardCharsets.UTF_8));
    return new ConsumerRecord<>(
        OUT.topic(),
        OUT.partition(),
        at,
        0L,
        TimestampType.CREATE_TIME,
        0,
        0,
        new byte[0],
        new byte[0],
        headers,
        Optional.empty());
  }

  private static ConsumerRecord<byte[], byte[]> record(TopicPartition tp, long offset) {
    return new ConsumerRecord<>(
        tp.topic(), tp.partition(), offset, ("q-" + offset).getBytes(StandardCharsets.UTF_8), null);
  }
}
