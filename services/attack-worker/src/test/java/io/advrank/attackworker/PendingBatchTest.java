package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.runtime.topic.Topics;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class PendingBatchTest {
  private static final Duration IDLE = Duration.ofMillis(100);

  private final PendingBatch pending = new PendingBatch(3, Duration.ofMillis(50));

  @Test
  void aBatchIsDueWhenFullOrOnceItsFirstRecordWaitedBatchWait() {
    assertFalse(pending.due(1_000), "nothing pending");
    pending.add(record(Topics.QUERIES.name(), 0), 1_000);
    pending.add(record(Topics.QUERIES.name(), 1), 1_030);
    assertFalse(pending.due(1_049));
    assertTrue(pending.due(1_050), "the first record waited 50 ms");
    pending.add(record(Topics.QUERIES.name(), 2), 1_031);
    assertTrue(pending.due(1_031), "batch.max records wait");
  }

  @Test
  void thePollWaitsUntilTheBatchIsDueAndNeverLessThanZero() {
    assertEquals(IDLE, pending.pollTimeout(1_000, IDLE));
    pending.add(record(Topics.QUERIES.name(), 0), 1_000);
    assertEquals(Duration.ofMillis(30), pending.pollTimeout(1_020, IDLE));
    assertEquals(Duration.ZERO, pending.pollTimeout(1_080, IDLE));
  }

  @Test
  void theNextBatchIsTheOldestBatchMaxAndTheRestWaitsFromTheCommit() {
    for (int i = 0; i < 5; i++) {
      pending.add(record(Topics.QUERIES.name(), i), 1_000);
    }
    List<ConsumerRecord<byte[], byte[]>> batch = pending.next();
    assertEquals(List.of(0L, 1L, 2L), batch.stream().map(ConsumerRecord::offset).toList());
    pending.committed(batch.size(), 2_000);
    assertEquals(List.of(3L, 4L), pending.next().stream().map(ConsumerRecord::offset).toList());
    assertFalse(pending.due(2_049), "the rest waits batch.wait from the commit");
    assertTrue(pending.due(2_050));
  }

  @Test
  void aRevokedPartitionsRecordsAreDropped() {
    pending.add(record(Topics.QUERIES.name(), 0), 1_000);
    pending.add(record(Topics.CATALOG.name(), 0), 1_000);
    pending.forget(List.of(new TopicPartition(Topics.CATALOG.name(), 0)));
    assertEquals(1, pending.size());
    assertEquals(Topics.QUERIES.name(), pending.next().get(0).topic());
    pending.clear();
    assertEquals(0, pending.size());
  }

  private static ConsumerRecord<byte[], byte[]> record(String topic, long offset) {
    return new ConsumerRecord<>(topic, 0, offset, new byte[0], new byte[0]);
  }
}
