package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.attackworker.ForwardLedger.State;
import io.advrank.attackworker.RecoveryScan.Landing;
import io.advrank.attackworker.RecoveryScan.Source;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class ForwardLedgerTest {
  private static final TopicPartition IN = new TopicPartition("advrank.queries", 0);
  private static final TopicPartition OUT = new TopicPartition("advrank.queries.delivered", 0);

  private static ConsumerRecord<byte[], byte[]> record(long offset) {
    return new ConsumerRecord<>(IN.topic(), IN.partition(), offset, new byte[0], new byte[0]);
  }

  @Test
  void theCommitStopsAtThePendingAttackAndTheForwardsAfterItStayToBeScannedFor() {
    ForwardLedger ledger = new ForwardLedger();
    ledger.received(IN, 10, State.FORWARDED);
    ledger.received(IN, 11, State.TRANSACTIONAL);
    ledger.received(IN, 12, State.FORWARDED);
    ledger.received(IN, 13, State.FORWARDED);
    // Nothing acknowledged: the offset cannot pass the first forward.
    assertEquals(Map.of(IN, 10L), ledger.commitOffsets(List.of()));
    ledger.acknowledged(IN, 10, OUT, 500);
    ledger.acknowledged(IN, 12, OUT, 501);
    assertEquals(Map.of(IN, 11L), ledger.commitOffsets(List.of()));
    // Forward 12 landed at 501 and a commit at 11 does not cover it; 10 is covered.
    assertEquals(Map.of(OUT, 501L), ledger.uncoveredForwards(Map.of(IN, 11L)));
    // The transaction carrying the attack counts it as settled: the offset runs to 13 (unacked).
    assertEquals(Map.of(IN, 13L), ledger.commitOffsets(List.of(record(11))));
  }

  @Test
  void aCommitForgetsWhatItCoversAndIsNotRepeated() {
    ForwardLedger ledger = new ForwardLedger();
    ledger.received(IN, 0, State.FORWARDED);
    ledger.received(IN, 1, State.SETTLED);
    ledger.acknowledged(IN, 0, OUT, 7);
    Map<TopicPartition, Long> offsets = ledger.commitOffsets(List.of());
    assertEquals(Map.of(IN, 2L), offsets);
    ledger.committed(offsets);
    assertEquals(Map.of(), ledger.commitOffsets(List.of()), "nothing moved since");
    assertEquals(Map.of(), ledger.uncoveredForwards(Map.of()));
    assertEquals(Map.of(), ledger.firstOpen());
  }

  @Test
  void aRewindSkipsForwardedAndSettledRecordsButRedoesTransactionalOnes() {
    ForwardLedger ledger = new ForwardLedger();
    ledger.received(IN, 5, State.TRANSACTIONAL);
    ledger.received(IN, 6, State.FORWARDED);
    ledger.received(IN, 7, State.SETTLED);
    ledger.received(IN, 8, State.TRANSACTIONAL);
    ledger.acknowledged(IN, 6, OUT, 40);
    assertEquals(
        Map.of(new Source(IN, 6), new Landing(OUT, 40), new Source(IN, 7), Landing.UNKNOWN),
        ledger.doneBeyondCommit());
    assertEquals(Map.of(IN, 5L), ledger.firstOpen());
    ledger.forgetOpen();
    assertTrue(ledger.doneBeyondCommit().isEmpty());
  }

  @Test
  void aForwardReadAgainKeepsItsLandingForTheCommitsThatDoNotCoverIt() {
    ForwardLedger ledger = new ForwardLedger();
    ledger.received(IN, 20, State.TRANSACTIONAL);
    ledger.recovered(
        IN, 21, new Landing(OUT, 300)); // forwarded before a rewind, or by a predecessor
    ledger.received(IN, 22, State.TRANSACTIONAL);
    ledger.recovered(IN, 23, new Landing(OUT, 302));
    ledger.received(IN, 24, State.FORWARDED);
    ledger.acknowledged(IN, 24, OUT, 410); // this worker's own forward, long after
    // The transaction of 20 moves the offset to 22: 23's forward (at 302) is not covered, and a
    // successor must scan from there, not from this worker's later forwards.
    Map<TopicPartition, Long> offsets = ledger.commitOffsets(List.of(record(20)));
    assertEquals(Map.of(IN, 22L), offsets);
    assertEquals(Map.of(OUT, 302L), ledger.uncoveredForwards(offsets));
    ForwardPositions positions = new ForwardPositions();
    positions.start(Map.of(OUT, 400L));
    positions.acknowledged(OUT, 410);
    assertEquals(
        Map.of(OUT, 302L),
        ForwardPositions.decode(positions.encode(ledger.uncoveredForwards(offsets))));
  }

  @Test
  void anAcknowledgementOfAForgottenRecordIsIgnored() {
    ForwardLedger ledger = new ForwardLedger();
    ledger.received(IN, 3, State.FORWARDED);
    ledger.forget(List.of(IN));
    ledger.acknowledged(IN, 3, OUT, 9);
    assertEquals(Map.of(), ledger.commitOffsets(List.of()));
  }

  @Test
  void positionsTravelAsCommitMetadataAndTakeTheLowerOfAckedAndUncovered() {
    ForwardPositions positions = new ForwardPositions();
    TopicPartition other = new TopicPartition("advrank.catalog.delivered", 2);
    positions.start(Map.of(OUT, 100L, other, 40L));
    positions.acknowledged(OUT, 120);
    String metadata = positions.encode(Map.of(OUT, 110L));
    assertEquals(Map.of(OUT, 110L, other, 40L), ForwardPositions.decode(metadata));
    assertEquals(
        Map.of(OUT, 121L, other, 40L), ForwardPositions.decode(positions.encode(Map.of())));
    assertEquals(Map.of(), ForwardPositions.decode(""), "a commit without positions: no scan");
    assertEquals(Map.of(), ForwardPositions.decode(null));
  }

  @Test
  void aSourceHeaderReadsBackAndGarbageIsNotOne() {
    Source s = new Source(new TopicPartition("advrank.catalog", 3), 12345);
    assertEquals(s, Source.decode(s.encode().getBytes(java.nio.charset.StandardCharsets.UTF_8)));
    assertEquals(null, Source.decode("advrank.catalog:x:1".getBytes()));
    assertEquals(null, Source.decode("nonsense".getBytes()));
  }
}
