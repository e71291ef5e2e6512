package io.advrank.attackworker;

import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.KafkaFailures;
import io.advrank.serving.GallerySnapshot;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One micro-batch in one Kafka transaction: begin, send every output ({@link MicroBatch}), add the
 * input offsets ({@link OffsetCommits#forTransaction}) with the consumer's group metadata (which
 * fences a zombie of an older generation), commit. The offsets pass only forwards the broker
 * acknowledged: every forward sent before is flushed first. On a transient Kafka error, or if a
 * rebalance took one of the batch's partitions while PGD ran, the transaction is aborted and the
 * consumer rewound to its first record not committed; errors that leave the producer unusable
 * (fenced, out of order, not authorised) and a failed forward are thrown to the caller.
 */
final class BatchTransaction {
  private static final Logger LOG = LoggerFactory.getLogger(BatchTransaction.class);

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final DeadLetters deadLetters;
  private final Forwarder forwarder;
  private final OffsetCommits commits;
  private final MicroBatch transform;
  private final java.util.function.Consumer<String> forwarded;
  private List<ConsumerRecord<byte[], byte[]>> inFlight = List.of();
  private boolean revoked;

  /**
   * @param consumer the work consumer: its group metadata goes with the offsets, and it is rewound
   * @param producer the transactional producer, initialised
   * @param deadLetters publishes dead letters through {@code producer}
   * @param forwarded counts an acknowledged forward (its delivered topic)
   */
  BatchTransaction(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      DeadLetters deadLetters,
      Forwarder forwarder,
      OffsetCommits commits,
      MicroBatch transform,
      java.util.function.Consumer<String> forwarded) {
    this.consumer = consumer;
    this.producer = producer;
    this.deadLetters = deadLetters;
    this.forwarder = forwarder;
    this.commits = commits;
    this.transform = transform;
    this.forwarded = forwarded;
  }

  /**
   * Sends {@code batch} in one transaction, attacking with {@code gallery} on {@code pgd} while the
   * calling thread runs {@code whileAttacking} (which may poll the consumer, and so rebalance).
   *
   * @return true if committed; false if aborted and rewound (every record not committed is read
   *     again)
   */
  boolean commit(
      List<ConsumerRecord<byte[], byte[]>> batch,
      GallerySnapshot gallery,
      Executor pgd,
      Runnable whileAttacking) {
    producer.beginTransaction();
    inFlight = batch;
    revoked = false;
    try {
      Runnable tally = transform.process(batch, gallery, pgd, whileAttacking, this::send);
      if (revoked) {
        throw new KafkaException("a rebalance took partitions of the batch while it was attacked");
      }
      // Forwards before the batch's records must be acknowledged for the offset to pass them.
      forwarder.flush();
      forwarder.drainAcknowledged(commits.ledger(), forwarded);
      Map<TopicPartition, OffsetAndMetadata> offsets = commits.forTransaction(batch);
      producer.sendOffsetsToTransaction(offsets, consumer.groupMetadata());
      producer.commitTransaction();
      commits.transactionCommitted(batch, offsets);
      tally.run();
      return true;
    } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
      // Unrecoverable for this producer: another instance owns the transactional.id now.
      throw e;
    } catch (KafkaException e) {
      KafkaFailures.logAborted(LOG, batch.size(), e);
      producer.abortTransaction();
      rewind();
      return false;
    } finally {
      inFlight = List.of();
    }
  }

  /** Partitions a rebalance takes away; if the batch in flight has records of one, it aborts. */
  void revoked(Collection<TopicPartition> partitions) {
    revoked |=
        inFlight.stream()
            .anyMatch(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
  }

  private void send(MicroBatch.Send s) {
    if (s instanceof MicroBatch.Output o) {
      producer.send(o.record());
    } else if (s instanceof MicroBatch.DeadLetter d) {
      deadLetters.publish(d.source(), d.reason(), d.cause());
    }
  }

  private void rewind() {
    forwarder.flush(); // every forward acknowledged: each one's landing is known
    forwarder.drainAcknowledged(commits.ledger(), forwarded);
    commits.rewind().forEach(consumer::seek);
  }
}
