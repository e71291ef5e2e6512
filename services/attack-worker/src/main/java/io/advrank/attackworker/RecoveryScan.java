package io.advrank.attackworker;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.header.Header;

/**
 * Finds the input records an earlier owner of some partitions already forwarded after its last
 * commit, so the new owner skips them instead of delivering them twice. Benign forwards leave
 * transactions (a transaction per micro-batch cost ~30 ms of latency here), so the group's
 * committed offset can lag behind forwards; every forward carries its input position in the header
 * {@value OutputRecords#FORWARDED_FROM}, and every commit carries, as metadata, where in the
 * delivered partitions forwards not yet covered by it can start ({@link ForwardPositions}). The
 * scan reads the delivered partitions from there to their end.
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
   * Input records at or after their partition's committed offset that were already forwarded.
   *
   * @throws IllegalStateException if the delivered partitions cannot be read to their end in time
   *     (processing on would risk duplicates)
   */
  Set<Source> alreadyForwarded(Map<TopicPartition, OffsetAndMetadata> committed) {
    Map<TopicPartition, Long> from = new HashMap<>();
    committed.forEach(
        (input, c) -> {
          if (c != null) {
            ForwardPositions.decode(c.metadata()).forEach((tp, o) -> from.merge(tp, o, Math::min));
          }
        });
    Set<Source> found = new HashSet<>();
    if (from.isEmpty()) {
      return found;
    }
    reader.assign(from.keySet());
    from.forEach(reader::seek);
    Map<TopicPartition, Long> end = reader.endOffsets(from.keySet());
    long deadline = System.nanoTime() + timeout.toNanos();
    while (!reachedEnd(end)) {
      if (System.nanoTime() > deadline) {
        reader.unsubscribe();
        throw new IllegalStateException(
            "recovery scan of " + from.keySet() + " did not reach " + end + " in " + timeout);
      }
      for (ConsumerRecord<byte[], byte[]> r : reader.poll(POLL)) {
        Header h = r.headers().lastHeader(OutputRecords.FORWARDED_FROM);
        Source s = h == null ? null : Source.decode(h.value());
        if (s != null
            && committed.get(s.partition()) != null
            && s.offset() >= committed.get(s.partition()).offset()) {
          found.add(s);
        }
      }
    }
    reader.unsubscribe();
    return found;
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
