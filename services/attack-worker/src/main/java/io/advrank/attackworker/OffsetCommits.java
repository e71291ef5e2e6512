package io.advrank.attackworker;

import io.advrank.attackworker.ForwardLedger.State;
import io.advrank.attackworker.RecoveryScan.Landing;
import io.advrank.attackworker.RecoveryScan.Source;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.ToLongFunction;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;

/**
 * Which offsets the worker commits, with which metadata, from what it has settled: the {@link
 * ForwardLedger} of records read, the forwards found already made (by an earlier owner, {@link
 * RecoveryScan}, or by this worker before a rewind) and this worker's {@link ForwardPositions}. It
 * touches no Kafka client: the loop hands in what it read and sends what this returns.
 *
 * <p>Each commit's metadata says where forwards the commit does not cover can start: this worker's
 * positions, lowered to every forward beyond the commit, whether made by this worker or found
 * already made (read again, or still to be read: no commit passes a record not read yet). Without
 * the latter, a later commit's positions could pass such a forward and the next owner would deliver
 * its event again (the fault run's duplicated queries, docs/cluster.md).
 */
final class OffsetCommits {
  /** Where a record just read goes. */
  enum Lane {
    /** Already forwarded (found by a scan, or read again after a rewind): skipped. */
    RECOVERED,
    /** The benign lane: forwarded at once ({@link Forwarder}). */
    FORWARD,
    /** Waits for a micro-batch's transaction. */
    TRANSACTION
  }

  private final ForwardLedger ledger = new ForwardLedger();
  private final ForwardPositions positions;
  private final Map<Source, Landing> alreadyForwarded = new HashMap<>();

  OffsetCommits(ForwardPositions positions) {
    this.positions = positions;
  }

  /** The ledger that acknowledged forwards are handed to ({@link Forwarder#drainAcknowledged}). */
  ForwardLedger ledger() {
    return ledger;
  }

  /**
   * Notes a record just read and says its lane; {@code forwardsAtOnce} is asked only about a record
   * not already forwarded.
   */
  Lane received(
      ConsumerRecord<byte[], byte[]> r, Predicate<ConsumerRecord<byte[], byte[]>> forwardsAtOnce) {
    TopicPartition tp = new TopicPartition(r.topic(), r.partition());
    Landing landing = alreadyForwarded.remove(new Source(tp, r.offset()));
    if (landing != null) {
      ledger.recovered(tp, r.offset(), landing);
      return Lane.RECOVERED;
    }
    if (forwardsAtOnce.test(r)) {
      ledger.received(tp, r.offset(), State.FORWARDED);
      return Lane.FORWARD;
    }
    ledger.received(tp, r.offset(), State.TRANSACTIONAL);
    return Lane.TRANSACTION;
  }

  /** The offsets to commit with the transaction of {@code batch}, counting its records settled. */
  Map<TopicPartition, OffsetAndMetadata> forTransaction(
      List<ConsumerRecord<byte[], byte[]>> batch) {
    return withPositions(ledger.commitOffsets(batch));
  }

  /** The transaction of {@code batch} committed {@code offsets}. */
  void transactionCommitted(
      List<ConsumerRecord<byte[], byte[]>> batch, Map<TopicPartition, OffsetAndMetadata> offsets) {
    ledger.settled(batch);
    committed(offsets);
  }

  /** Offsets that moved because forwards were acknowledged; empty if none did. */
  Map<TopicPartition, OffsetAndMetadata> forForwards() {
    return withPositions(ledger.commitOffsets(List.of()));
  }

  /** {@link #forForwards()} of these partitions only (about to be revoked). */
  Map<TopicPartition, OffsetAndMetadata> forForwards(Collection<TopicPartition> partitions) {
    Map<TopicPartition, Long> offsets = ledger.commitOffsets(List.of());
    offsets.keySet().retainAll(partitions);
    return offsets.isEmpty() ? Map.of() : withPositions(offsets);
  }

  /**
   * A commit of these offsets was sent: the records below them are forgotten. (Early is safe: a
   * failed commit leaves the group's offset lower, and the records between are settled ones that a
   * successor skips or redoes in a transaction.)
   */
  void committed(Map<TopicPartition, OffsetAndMetadata> offsets) {
    Map<TopicPartition, Long> next = new HashMap<>();
    offsets.forEach((tp, o) -> next.put(tp, o.offset()));
    ledger.committed(next);
  }

  /**
   * Partitions just assigned, with their committed offsets and the forwards an earlier owner made
   * beyond them. Returns the first commits to make now: a partition never committed gets one at the
   * consumer's {@code position}, with this worker's forward positions, or a crash before its first
   * commit would leave a successor nowhere to scan from.
   */
  Map<TopicPartition, OffsetAndMetadata> assigned(
      Collection<TopicPartition> partitions,
      Map<TopicPartition, OffsetAndMetadata> committed,
      Map<Source, Landing> found,
      ToLongFunction<TopicPartition> position) {
    alreadyForwarded.putAll(found);
    Map<TopicPartition, OffsetAndMetadata> first = new HashMap<>();
    for (TopicPartition tp : partitions) {
      if (committed.get(tp) == null) {
        first.put(tp, new OffsetAndMetadata(position.applyAsLong(tp), positions.encode(Map.of())));
      }
    }
    return first;
  }

  /**
   * An abort: returns, per partition, the offset to seek back to (its first record not committed).
   * The records after it that were forwarded or settled are remembered with where their forwards
   * landed, so reading them again neither delivers them twice nor lets a later commit's positions
   * pass them. Call once every forward sent is acknowledged, so that each one's landing is known.
   */
  Map<TopicPartition, Long> rewind() {
    alreadyForwarded.putAll(ledger.doneBeyondCommit());
    Map<TopicPartition, Long> seeks = ledger.firstOpen();
    ledger.forgetOpen();
    return seeks;
  }

  /** Drops everything about partitions taken away. */
  void forget(Collection<TopicPartition> partitions) {
    alreadyForwarded.keySet().removeIf(s -> partitions.contains(s.partition()));
    ledger.forget(partitions);
  }

  private Map<TopicPartition, OffsetAndMetadata> withPositions(Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, Long> uncovered = ledger.uncoveredForwards(offsets);
    for (Landing l : alreadyForwarded.values()) {
      if (l.partition() != null) {
        uncovered.merge(l.partition(), l.offset(), Math::min);
      }
    }
    String metadata = positions.encode(uncovered);
    Map<TopicPartition, OffsetAndMetadata> out = new HashMap<>();
    offsets.forEach((tp, next) -> out.put(tp, new OffsetAndMetadata(next, metadata)));
    return out;
  }
}
