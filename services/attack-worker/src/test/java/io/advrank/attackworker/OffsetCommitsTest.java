package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.attackworker.OffsetCommits.Lane;
import io.advrank.attackworker.RecoveryScan.Landing;
import io.advrank.attackworker.RecoveryScan.Source;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

/** Lanes and commit offsets from plain records: the decisions of the worker loop, no client. */
class OffsetCommitsTest {
  private static final TopicPartition IN = new TopicPartition("advrank.queries", 0);
  private static final TopicPartition IN_2 = new TopicPartition("advrank.queries", 1);
  private static final TopicPartition OUT = new TopicPartition("advrank.queries.delivered", 0);
  private static final Predicate<ConsumerRecord<byte[], byte[]>> BENIGN = r -> true;
  private static final Predicate<ConsumerRecord<byte[], byte[]>> ATTACK = r -> false;

  private final ForwardPositions positions = new ForwardPositions();
  private final OffsetCommits commits = new OffsetCommits(positions);

  @Test
  void aRecordFoundAlreadyForwardedIsSkippedAndTheRestTakeTheirLane() {
    commits.assigned(
        List.of(IN), Map.of(IN, new OffsetAndMetadata(0)), Map.of(source(1), landing(70)), tp -> 0);
    assertEquals(Lane.TRANSACTION, commits.received(record(0), ATTACK));
    Predicate<ConsumerRecord<byte[], byte[]>> mustNotBeAsked =
        r -> {
          throw new AssertionError("asked about a record already forwarded");
        };
    assertEquals(Lane.RECOVERED, commits.received(record(1), mustNotBeAsked));
    assertEquals(Lane.FORWARD, commits.received(record(2), BENIGN));
    // Found once: the same offset read again (a later rewind) is routed afresh.
    assertEquals(Lane.FORWARD, commits.received(record(1), BENIGN));
  }

  @Test
  void aCommitOfForwardsNeverPassesAForwardNotAcknowledged() {
    commits.received(record(0), BENIGN);
    commits.received(record(1), BENIGN);
    commits.received(record(2), BENIGN);
    commits.ledger().acknowledged(IN, 0, OUT, 500);
    commits.ledger().acknowledged(IN, 2, OUT, 501); // 1's acknowledgement is still outstanding
    Map<TopicPartition, OffsetAndMetadata> offsets = commits.forForwards();
    assertEquals(1L, offsets.get(IN).offset());
    commits.committed(offsets);
    assertEquals(Map.of(), commits.forForwards(), "nothing moved since");
    commits.ledger().acknowledged(IN, 1, OUT, 502);
    assertEquals(3L, commits.forForwards().get(IN).offset());
  }

  @Test
  void theMetadataPointsAtAForwardMadeBeyondTheCommitEvenOneNotReadYet() {
    positions.start(Map.of(OUT, 400L));
    // An earlier owner forwarded input 5 (landed at 300) after committing 3.
    commits.assigned(
        List.of(IN),
        Map.of(IN, new OffsetAndMetadata(3)),
        Map.of(source(5), landing(300)),
        tp -> 3);
    commits.received(record(3), ATTACK);
    Map<TopicPartition, OffsetAndMetadata> offsets = commits.forTransaction(List.of(record(3)));
    assertEquals(4L, offsets.get(IN).offset());
    // Input 5 is not read yet, so not covered: a successor must scan from 300, not 400.
    assertEquals(Map.of(OUT, 300L), ForwardPositions.decode(offsets.get(IN).metadata()));
  }

  @Test
  void aTransactionCountsItsRecordsSettledAndStopsAtAForwardOutstanding() {
    commits.received(record(0), ATTACK);
    commits.received(record(1), BENIGN);
    commits.received(record(2), ATTACK);
    List<ConsumerRecord<byte[], byte[]>> batch = List.of(record(0), record(2));
    assertEquals(1L, commits.forTransaction(batch).get(IN).offset());
    commits.ledger().acknowledged(IN, 1, OUT, 9);
    Map<TopicPartition, OffsetAndMetadata> offsets = commits.forTransaction(batch);
    assertEquals(3L, offsets.get(IN).offset());
    commits.transactionCommitted(batch, offsets);
    assertEquals(Map.of(), commits.forForwards());
  }

  @Test
  void aRewindSeeksToTheFirstRecordNotCommittedAndSkipsWhatWasForwardedWhenReadAgain() {
    positions.start(Map.of(OUT, 40L));
    commits.received(record(10), ATTACK);
    commits.received(record(11), BENIGN);
    commits.received(record(12), ATTACK);
    commits.ledger().acknowledged(IN, 11, OUT, 50);
    positions.acknowledged(OUT, 50);

    assertEquals(Map.of(IN, 10L), commits.rewind());

    // Before 11 is read again, a commit that does not cover it still points at its forward.
    commits.received(record(10), ATTACK);
    Map<TopicPartition, OffsetAndMetadata> offsets = commits.forTransaction(List.of(record(10)));
    assertEquals(11L, offsets.get(IN).offset());
    assertEquals(Map.of(OUT, 50L), ForwardPositions.decode(offsets.get(IN).metadata()));
    assertEquals(Lane.RECOVERED, commits.received(record(11), BENIGN), "not forwarded twice");
    assertEquals(Lane.TRANSACTION, commits.received(record(12), BENIGN.negate()));
  }

  @Test
  void onlyAPartitionNeverCommittedGetsAFirstCommitAtItsPosition() {
    positions.start(Map.of(OUT, 40L));
    Map<TopicPartition, OffsetAndMetadata> committed = new java.util.HashMap<>();
    committed.put(IN, null);
    committed.put(IN_2, new OffsetAndMetadata(5));
    Map<TopicPartition, OffsetAndMetadata> first =
        commits.assigned(List.of(IN, IN_2), committed, Map.of(), tp -> 17);
    assertEquals(List.of(IN), List.copyOf(first.keySet()), "IN_2 has a commit already");
    assertEquals(17L, first.get(IN).offset());
    assertEquals(Map.of(OUT, 40L), ForwardPositions.decode(first.get(IN).metadata()));
  }

  @Test
  void aRevocationCommitsOnlyTheRevokedPartitionsAndForgetsThem() {
    commits.received(record(0), BENIGN);
    commits.received(new ConsumerRecord<>(IN_2.topic(), 1, 0, new byte[0], new byte[0]), BENIGN);
    commits.ledger().acknowledged(IN, 0, OUT, 1);
    commits.ledger().acknowledged(IN_2, 0, OUT, 2);
    assertEquals(List.of(IN_2), List.copyOf(commits.forForwards(List.of(IN_2)).keySet()));
    commits.forget(List.of(IN_2));
    assertEquals(List.of(IN), List.copyOf(commits.forForwards().keySet()));
    assertTrue(commits.forForwards(List.of(IN_2)).isEmpty());
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset) {
    return new ConsumerRecord<>(IN.topic(), IN.partition(), offset, new byte[0], new byte[0]);
  }

  private static Source source(long offset) {
    return new Source(IN, offset);
  }

  private static Landing landing(long offset) {
    return new Landing(OUT, offset);
  }
}
