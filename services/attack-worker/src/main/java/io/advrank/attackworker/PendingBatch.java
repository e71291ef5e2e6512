package io.advrank.attackworker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * The records waiting for a transaction (events to attack, invalid ones to dead-letter), in the
 * order read, and when the next micro-batch is due: once {@code batch.max} wait, or once the first
 * has waited {@code batch.wait}.
 */
final class PendingBatch {
  private final int max;
  private final long waitMs;
  private final List<ConsumerRecord<byte[], byte[]>> records = new ArrayList<>();
  private long firstMs;

  PendingBatch(int max, Duration wait) {
    this.max = max;
    this.waitMs = wait.toMillis();
  }

  /** A record read at {@code nowMs} that waits for a transaction. */
  void add(ConsumerRecord<byte[], byte[]> record, long nowMs) {
    if (records.isEmpty()) {
      firstMs = nowMs;
    }
    records.add(record);
  }

  int size() {
    return records.size();
  }

  /** Whether a batch should be sent now. */
  boolean due(long nowMs) {
    return records.size() >= max || (!records.isEmpty() && nowMs - firstMs >= waitMs);
  }

  /** The next batch: the oldest records, up to {@code batch.max}. */
  List<ConsumerRecord<byte[], byte[]>> next() {
    return new ArrayList<>(records.subList(0, Math.min(records.size(), max)));
  }

  /**
   * How long the next poll may wait: {@code idle} with nothing pending, else until the batch is
   * due.
   */
  Duration pollTimeout(long nowMs, Duration idle) {
    if (records.isEmpty()) {
      return idle;
    }
    return Duration.ofMillis(Math.max(0, firstMs + waitMs - nowMs));
  }

  /** The first {@code count} records were committed at {@code nowMs}; the rest wait from now. */
  void committed(int count, long nowMs) {
    records.subList(0, count).clear();
    firstMs = nowMs;
  }

  /** Drops everything (a rewind reads it again). */
  void clear() {
    records.clear();
  }

  /** Drops the records of partitions taken away. */
  void forget(Collection<TopicPartition> partitions) {
    records.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
  }
}
