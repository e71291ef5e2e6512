package io.advrank.attackworker;

import java.util.HashMap;
import java.util.Map;
import org.apache.kafka.common.TopicPartition;

/**
 * Where the worker's own forwards start in each delivered partition: a lower bound on the offset of
 * any forward not yet covered by a commit. It travels as the metadata of every offset commit, so
 * that after a crash {@link RecoveryScan} knows where to look for forwards the dead instance made
 * after its last commit. Starts at the partitions' end offsets and moves up with every acknowledged
 * forward the worker thread has taken note of (acknowledgements of one partition arrive in order,
 * so a forward not noted yet lands at or after it).
 */
final class ForwardPositions {
  /** Version tag of the metadata format: {@code fwd1;topic:partition=offset,...}. */
  static final String FORMAT = "fwd1;";

  private final Map<TopicPartition, Long> next = new HashMap<>();

  /** The end offsets of the delivered partitions when the worker started. */
  void start(Map<TopicPartition, Long> endOffsets) {
    endOffsets.forEach((tp, end) -> next.merge(tp, end, Math::max));
  }

  /** A forward was acknowledged at this offset. */
  void acknowledged(TopicPartition tp, long offset) {
    next.merge(tp, offset + 1, Math::max);
  }

  /**
   * Commit metadata: per delivered partition, the lower of the next offset after every acknowledged
   * forward and {@code uncovered} (forwards already written that the commit does not cover, {@link
   * ForwardLedger#uncoveredForwards}).
   */
  String encode(Map<TopicPartition, Long> uncovered) {
    Map<TopicPartition, Long> from = new HashMap<>(next);
    uncovered.forEach((tp, o) -> from.merge(tp, o, Math::min));
    return format(from);
  }

  private static String format(Map<TopicPartition, Long> positions) {
    StringBuilder s = new StringBuilder(FORMAT);
    positions.forEach(
        (tp, offset) ->
            s.append(tp.topic())
                .append(':')
                .append(tp.partition())
                .append('=')
                .append(offset)
                .append(','));
    return s.toString();
  }

  /**
   * The positions in commit metadata; empty for metadata of another format (e.g. none: a group
   * committed before forwards left transactions, whose commits therefore cover every output).
   */
  static Map<TopicPartition, Long> decode(String metadata) {
    Map<TopicPartition, Long> positions = new HashMap<>();
    if (metadata == null || !metadata.startsWith(FORMAT)) {
      return positions;
    }
    for (String entry : metadata.substring(FORMAT.length()).split(",")) {
      if (entry.isEmpty()) {
        continue;
      }
      int colon = entry.lastIndexOf(':');
      int eq = entry.lastIndexOf('=');
      if (colon < 1 || eq < colon) {
        throw new IllegalArgumentException("bad forward positions in commit metadata: " + entry);
      }
      positions.put(
          new TopicPartition(
              entry.substring(0, colon), Integer.parseInt(entry.substring(colon + 1, eq))),
          Long.parseLong(entry.substring(eq + 1)));
    }
    return positions;
  }
}
