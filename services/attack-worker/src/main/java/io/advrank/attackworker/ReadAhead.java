package io.advrank.attackworker;

import io.advrank.runtime.topic.Topics;
import java.util.HashSet;
import java.util.Set;
import org.apache.kafka.common.TopicPartition;

/**
 * When the worker reads, given how many events wait for PGD. Up to {@link #limit()} waiting,
 * everything is read. Beyond, the catalog's partitions are paused and queries alone are read, up to
 * twice that, then nothing (bounded memory). Without the pause, shoppers' queries, which the benign
 * lane forwards at once, waited behind the catalog records the consumer had already fetched,
 * drained only as fast as PGD worked off the attacks among them: in the demo, whose producer
 * uploads the catalog at start-up, no query was forwarded for the first ~40 s. Paused partitions
 * keep their fetched records and position; only the order in which the two topics are read changes.
 */
final class ReadAhead {
  /**
   * What the loop does before its next poll.
   *
   * @param pause partitions to pause (the catalog's, again each time: a rebalance may have assigned
   *     new ones)
   * @param resume partitions to resume
   * @param poll whether to poll at all
   */
  record Step(Set<TopicPartition> pause, Set<TopicPartition> resume, boolean poll) {}

  private final int limit;
  private boolean catalogPaused;

  /** The read-ahead of a worker with micro-batches of up to {@code batchMax}. */
  ReadAhead(int batchMax) {
    this.limit = Math.max(256, 4 * batchMax);
  }

  /** Events waiting for PGD above which catalog uploads are no longer read: max(256, 4 batches). */
  int limit() {
    return limit;
  }

  /** The next step with {@code waiting} events queued for PGD and these partitions assigned. */
  Step next(int waiting, Set<TopicPartition> assignment) {
    boolean pause = waiting >= limit;
    Set<TopicPartition> catalog = new HashSet<>();
    if (pause || catalogPaused) {
      for (TopicPartition tp : assignment) {
        if (tp.topic().equals(Topics.CATALOG.name())) {
          catalog.add(tp);
        }
      }
    }
    Step step =
        new Step(
            pause ? catalog : Set.of(),
            !pause && catalogPaused ? catalog : Set.of(),
            waiting < 2 * limit);
    catalogPaused = pause;
    return step;
  }
}
