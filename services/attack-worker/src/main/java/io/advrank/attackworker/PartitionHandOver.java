package io.advrank.attackworker;

import io.advrank.attackworker.RecoveryScan.Landing;
import io.advrank.attackworker.RecoveryScan.Source;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker's side of a rebalance, run by the work consumer inside its poll. Revoked partitions:
 * commit what is settled, forget the rest (the new owner reads it again and skips what was
 * forwarded), and abort the batch in flight if it has records of one ({@link
 * BatchTransaction#revoked}). Lost partitions: let the forwards in flight land, then forget them.
 * Assigned partitions: find what an earlier owner already forwarded ({@link RecoveryScan}), and
 * give a partition never committed its first commit ({@link OffsetCommits#assigned}).
 */
final class PartitionHandOver implements ConsumerRebalanceListener {
  private static final Logger LOG = LoggerFactory.getLogger(PartitionHandOver.class);

  private final Consumer<byte[], byte[]> consumer;
  private final Forwarder forwarder;
  private final RecoveryScan recovery;
  private final OffsetCommits commits;
  private final PendingBatch pending;
  private final BatchTransaction transaction;
  private final java.util.function.Consumer<String> forwarded;

  /**
   * @param consumer the work consumer this listens to
   * @param forwarded counts an acknowledged forward (its delivered topic)
   */
  PartitionHandOver(
      Consumer<byte[], byte[]> consumer,
      Forwarder forwarder,
      RecoveryScan recovery,
      OffsetCommits commits,
      PendingBatch pending,
      BatchTransaction transaction,
      java.util.function.Consumer<String> forwarded) {
    this.consumer = consumer;
    this.forwarder = forwarder;
    this.recovery = recovery;
    this.commits = commits;
    this.pending = pending;
    this.transaction = transaction;
    this.forwarded = forwarded;
  }

  @Override
  public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
    try {
      forwarder.flush();
      forwarder.drainAcknowledged(commits.ledger(), forwarded);
      Map<TopicPartition, OffsetAndMetadata> offsets = commits.forForwards(partitions);
      if (!offsets.isEmpty()) {
        consumer.commitSync(offsets);
      }
    } catch (KafkaException e) {
      LOG.info("commit on revocation failed; the new owner scans for forwards: {}", e.toString());
    }
    forget(partitions);
  }

  @Override
  public void onPartitionsLost(Collection<TopicPartition> partitions) {
    // Another member may own them already and be scanning for forwards: let the ones in flight
    // land now rather than later. (A forward that lands after its scan is delivered twice;
    // forwards are not fenced, see WorkerLoop.)
    forwarder.flush();
    forget(partitions);
  }

  @Override
  public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
    if (partitions.isEmpty()) {
      return;
    }
    Map<TopicPartition, OffsetAndMetadata> committed =
        consumer.committed(new HashSet<>(partitions));
    Map<Source, Landing> found = recovery.alreadyForwarded(committed);
    Map<TopicPartition, OffsetAndMetadata> first =
        commits.assigned(partitions, committed, found, consumer::position);
    if (!first.isEmpty()) {
      consumer.commitSync(first);
    }
    LOG.info(
        "attacking traffic from {} partitions ({} events found already forwarded)",
        partitions.size(),
        found.size());
  }

  private void forget(Collection<TopicPartition> partitions) {
    transaction.revoked(partitions);
    pending.forget(partitions);
    commits.forget(partitions);
  }
}
