package io.advrank.attackworker;

import io.advrank.attackworker.RecoveryScan.Landing;
import io.advrank.attackworker.RecoveryScan.Source;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Which input records the worker has settled, per partition, and so how far a commit may move the
 * group's offset. Benign records are settled when the broker acknowledges their forward; attacked
 * and dead-lettered ones when their transaction commits. Both lanes run out of order within a
 * partition (a benign record after a pending attack is forwarded at once), so the committable
 * offset is the first record not settled yet; forwards beyond it are found again after a crash by
 * {@link RecoveryScan}.
 */
final class ForwardLedger {
  /** The state of one received record. */
  enum State {
    /** Waits for a transaction (attack or dead letter). */
    TRANSACTIONAL,
    /** Forwarded, acknowledgement outstanding. */
    FORWARDED,
    /** Forwarded and acknowledged, or committed in a transaction, or found already forwarded. */
    SETTLED
  }

  /** One received record: its state, and where its forward landed once acknowledged. */
  private static final class Entry {
    State state;
    TopicPartition landedIn;
    long landedAt;

    Entry(State state) {
      this.state = state;
    }
  }

  private final Map<TopicPartition, TreeMap<Long, Entry>> open = new HashMap<>();
  private final Map<TopicPartition, Long> committed = new HashMap<>();

  /** A record just read from the consumer. */
  void received(TopicPartition tp, long offset, State state) {
    open.computeIfAbsent(tp, p -> new TreeMap<>()).put(offset, new Entry(state));
  }

  /**
   * A record just read that was already forwarded (found by {@link RecoveryScan}, or read again
   * after a rewind): settled, and its forward stays where it landed, so that a commit that does not
   * cover it still points a successor's scan at it ({@link #uncoveredForwards}). Without the
   * landing, a later commit's positions could pass the forward and the next owner would deliver the
   * event again.
   */
  void recovered(TopicPartition tp, long offset, Landing landing) {
    Entry e = new Entry(State.SETTLED);
    if (landing.partition() != null) {
      e.landedIn = landing.partition();
      e.landedAt = landing.offset();
    }
    open.computeIfAbsent(tp, p -> new TreeMap<>()).put(offset, e);
  }

  /**
   * The broker acknowledged the forward of input record {@code offset} of {@code tp}, written at
   * {@code landedAt} of {@code landedIn} (ignored if the record was forgotten meanwhile).
   */
  void acknowledged(TopicPartition tp, long offset, TopicPartition landedIn, long landedAt) {
    TreeMap<Long, Entry> records = open.get(tp);
    Entry e = records == null ? null : records.get(offset);
    if (e != null && e.state == State.FORWARDED) {
      e.state = State.SETTLED;
      e.landedIn = landedIn;
      e.landedAt = landedAt;
    }
  }

  /** The records of a committed transaction. */
  void settled(List<ConsumerRecord<byte[], byte[]>> records) {
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TreeMap<Long, Entry> byOffset = open.get(new TopicPartition(r.topic(), r.partition()));
      Entry e = byOffset == null ? null : byOffset.get(r.offset());
      if (e != null) {
        e.state = State.SETTLED;
      }
    }
  }

  /**
   * The offset each partition may be committed at, counting {@code alsoSettled} as settled (the
   * records of the transaction that will carry the commit): the first record not settled, or one
   * past the last record read. Only partitions whose offset moved since the last commit.
   */
  Map<TopicPartition, Long> commitOffsets(Collection<ConsumerRecord<byte[], byte[]>> alsoSettled) {
    Map<TopicPartition, Set<Long>> extra = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : alsoSettled) {
      extra
          .computeIfAbsent(new TopicPartition(r.topic(), r.partition()), p -> new HashSet<>())
          .add(r.offset());
    }
    Map<TopicPartition, Long> offsets = new HashMap<>();
    open.forEach(
        (tp, records) -> {
          long next = -1;
          for (Map.Entry<Long, Entry> e : records.entrySet()) {
            boolean done =
                e.getValue().state == State.SETTLED
                    || extra.getOrDefault(tp, Set.of()).contains(e.getKey());
            if (!done) {
              next = e.getKey();
              break;
            }
            next = e.getKey() + 1;
          }
          if (next >= 0 && next > committed.getOrDefault(tp, -1L)) {
            offsets.put(tp, next);
          }
        });
    return offsets;
  }

  /** A commit of these offsets succeeded: forget the records below them. */
  void committed(Map<TopicPartition, Long> offsets) {
    offsets.forEach(
        (tp, next) -> {
          committed.merge(tp, next, Math::max);
          TreeMap<Long, Entry> records = open.get(tp);
          if (records != null) {
            records.headMap(next).clear();
          }
        });
  }

  /**
   * Per delivered partition, the lowest offset of an acknowledged forward that a commit of {@code
   * offsets} would not cover (its input record is at or beyond its partition's commit offset): a
   * successor must scan from there ({@link ForwardPositions}).
   */
  Map<TopicPartition, Long> uncoveredForwards(Map<TopicPartition, Long> offsets) {
    Map<TopicPartition, Long> from = new HashMap<>();
    open.forEach(
        (tp, records) -> {
          long commit = offsets.getOrDefault(tp, committed.getOrDefault(tp, -1L));
          records
              .tailMap(commit, true)
              .values()
              .forEach(
                  e -> {
                    if (e.landedIn != null) {
                      from.merge(e.landedIn, e.landedAt, Math::min);
                    }
                  });
        });
    return from;
  }

  /**
   * Records at or beyond the commit offset that were forwarded or settled, with where each forward
   * landed ({@link Landing#UNKNOWN} if not acknowledged yet): read again after a rewind, they must
   * be skipped, not processed a second time, and keep their landing ({@link #recovered}).
   */
  Map<Source, Landing> doneBeyondCommit() {
    Map<Source, Landing> done = new HashMap<>();
    open.forEach(
        (tp, records) ->
            records.forEach(
                (offset, e) -> {
                  if (e.state != State.TRANSACTIONAL) {
                    done.put(
                        new Source(tp, offset),
                        e.landedIn == null ? Landing.UNKNOWN : new Landing(e.landedIn, e.landedAt));
                  }
                }));
    return done;
  }

  /** The first offset not committed yet per partition, where records are open (for a rewind). */
  Map<TopicPartition, Long> firstOpen() {
    Map<TopicPartition, Long> first = new HashMap<>();
    open.forEach(
        (tp, records) -> {
          if (!records.isEmpty()) {
            first.put(tp, records.firstKey());
          }
        });
    return first;
  }

  /** Forgets the records read but not committed (a rewind reads them again). */
  void forgetOpen() {
    open.clear();
  }

  /** Drops everything about partitions taken away. */
  void forget(Collection<TopicPartition> partitions) {
    partitions.forEach(
        tp -> {
          open.remove(tp);
          committed.remove(tp);
        });
  }
}
