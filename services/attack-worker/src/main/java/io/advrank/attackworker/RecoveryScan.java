package io.advrank.attackworker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the input records an earlier owner of some partitions already forwarded after its last
 * commit, so the new owner skips them instead of delivering them twice. Benign forwards leave
 * transactions (a transaction per micro-batch cost ~30 ms of latency here), so the group's
 * committed offset can lag behind forwards; every forward carries its input position in the header
 * {@value OutputRecords#FORWARDED_FROM}, and every commit carries, as metadata, where in the
 * delivered partitions forwards not yet covered by it can start ({@link ForwardPositions}). The
 * scan reads the delivered partitions from there to their end, and returns where each forward it
 * finds landed: the new owner's own commits must keep pointing there until they cover the event
 * ({@link ForwardLedger#recovered}), or the owner after it would not find it (the fault run's
 * duplicated benign queries, docs/cluster.md). Its summary is logged at INFO.
 */
final class RecoveryScan {
  /** A position in an input partition. */
  record Source(TopicPartition partition, long offset) {
    String encode() {
      return partition.topic() + ":" + partition.partition() + ":" + offset;
    }

    /** The source in a forward's header, or null if the header is not one. */
    static Source decode(byte[] header) {
      String s = new String(header, StandardCharsets.UTF_8);
      int last = s.lastIndexOf(':');
      int mid = last > 0 ? s.lastIndexOf(':', last - 1) : -1;
      if (mid < 1) {
        return null;
      }
      try {
        return new Source(
            new TopicPartition(s.substring(0, mid), Integer.parseInt(s.substring(mid + 1, last))),
            Long.parseLong(s.substring(last + 1)));
      } catch (NumberFormatException e) {
        return null;
      }
    }
  }

  /**
   * Where a forward landed in its delivered partition. A forward a worker skips because it was
   * already made keeps it, so that the worker's commits still point a successor's scan at it
   * ({@link ForwardLedger#uncoveredForwards}).
   */
  record Landing(TopicPartition partition, long offset) {
    /** A forward not acknowledged yet: it lands after every acknowledged one of its producer. */
    static final Landing UNKNOWN = new Landing(null, -1);
  }

  private static final Logger LOG = LoggerFactory.getLogger(RecoveryScan.class);
  private static final Duration POLL = Duration.ofMillis(100);

  private final Consumer<byte[], byte[]> reader;
  private final Duration timeout;

  /** {@code reader}: no group, {@code read_uncommitted} (forwards are not transactional). */
  RecoveryScan(Consumer<byte[], byte[]> reader, Duration timeout) {
    this.reader = reader;
    this.timeout = timeout;
  }

  /** The end offsets of these partitions now. */
  Map<TopicPartition, Long> endOffsets(Set<TopicPartition> partitions) {
    return reader.endOffsets(partitions);
  }

  /**
   * Input records at or after their partition's committed offset that were already forwarded, with
   * where each forward landed (the first copy, if there are several).
   *
   * @throws IllegalStateException if the delivered partitions cannot be read to their end in time
   *     (processing on would risk duplicates)
   */
  Map<Source, Landing> alreadyForwarded(Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<TopicPartition, Long> from = new HashMap<>();
    committed.forEach(
        (input, c) -> {
          if (c != null) {
            ForwardPositions.decode(c.metadata()).forEach((tp, o) -> from.merge(tp, o, Math::min));
          }
        });
    Map<Source, Landing> found = new HashMap<>();
    if (from.isEmpty()) {
      LOG.info("recovery scan: no commit with forward positions among {}", committed.keySet());
      return found;
    }
    long started = System.nanoTime();
    reader.assign(from.keySet());
    from.forEach(reader::seek);
    Map<TopicPartition, Long> end = reader.endOffsets(from.keySet());
    long deadline = started + timeout.toNanos();
    int read = 0;
    while (!reachedEnd(end)) {
      if (System.nanoTime() > deadline) {
        reader.unsubscribe();
        throw new IllegalStateException(
            "recovery scan of " + from.keySet() + " did not reach " + end + " in " + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> r : reader.poll(POLL)) {
        read++;
        Header h = r.headers().lastHeader(OutputRecords.FORWARDED_FROM);
        Source s = h == null ? null : Source.decode(h.value());
        if (s != null
            && committed.get(s.partition()) != null
            && s.offset() >= committed.get(s.partition()).offset()) {
          found.putIfAbsent(
              s, new Landing(new TopicPartition(r.topic(), r.partition()), r.offset()));
        }
      }
    }
    reader.unsubscribe();
    if (LOG.isInfoEnabled()) {
      LOG.info(
          "recovery scan: committed {}; read {} records of the delivered partitions from {} to {} in"
              + " {} ms; {} forwards beyond the committed offsets",
          offsets(committed),
          read,
          new TreeMap<>(stringKeys(from)),
          new TreeMap<>(stringKeys(end)),
          (System.nanoTime() - started) / 1_000_000,
          found.size());
    }
    return found;
  }

  private static Map<String, Long> offsets(Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<String, Long> out = new TreeMap<>();
    committed.forEach((tp, c) -> out.put(tp.toString(), c == null ? -1 : c.offset()));
    return out;
  }

  private static Map<String, Long> stringKeys(Map<TopicPartition, Long> offsets) {
    Map<String, Long> out = new HashMap<>();
    offsets.forEach((tp, o) -> out.put(tp.toString(), o));
    return out;
  }

  private boolean reachedEnd(Map<TopicPartition, Long> end) {
    for (Map.Entry<TopicPartition, Long> e : end.entrySet()) {
      if (reader.position(e.getKey()) < e.getValue()) {
        return false;
      }
    }
    return true;
  }
}
