package io.advrank.attackworker;

import io.advrank.runtime.topic.Topics;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker thread: consume-transform-produce with Kafka transactions, so that after a crash no
 * request is lost and none is answered twice. Per micro-batch (up to {@code batch.max} records, or
 * whatever arrived once the first has waited {@code batch.wait}): begin a transaction, send every
 * output ({@link MicroBatch}), add the batch's input offsets to the transaction with the consumer's
 * group metadata (which fences a zombie of an older group generation), commit. On a transient Kafka
 * error the transaction is aborted and the consumer rewound to the batch's first offsets, so the
 * batch is processed again; a fenced producer (a newer instance took over) ends the loop.
 */
final class WorkerLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(100);

  private final Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final GalleryFeed gallery;
  private final MicroBatch transform;
  private final AttackWorkerSettings settings;
  private final Clock clock;
  private final Runnable onReady;
  private final java.util.function.Consumer<Throwable> onFatal;
  private final List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();
  private long firstPendingMs;
  private volatile boolean running = true;

  WorkerLoop(
      Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      GalleryFeed gallery,
      MicroBatch transform,
      AttackWorkerSettings settings,
      Clock clock,
      Runnable onReady,
      java.util.function.Consumer<Throwable> onFatal) {
    this.consumer = consumer;
    this.producer = producer;
    this.gallery = gallery;
    this.transform = transform;
    this.settings = settings;
    this.clock = clock;
    this.onReady = onReady;
    this.onFatal = onFatal;
  }

  @Override
  public void run() {
    try {
      // Fences a crashed predecessor with the same transactional.id and aborts its open writes.
      producer.initTransactions();
      if (!gallery.loadInitial(() -> running)) {
        return;
      }
      LOG.info("attack gallery: {} catalog items", gallery.current().size());
      consumer.subscribe(List.of(Topics.CATALOG.name(), Topics.QUERIES.name()), new DropOnRevoke());
      onReady.run();
      while (running) {
        gallery.poll();
        receive();
        while (pending.size() >= settings.batchMax() || (!pending.isEmpty() && waitedEnough())) {
          transact(
              new ArrayList<>(pending.subList(0, Math.min(pending.size(), settings.batchMax()))));
        }
      }
    } catch (WakeupException e) {
      // stop() woke us up
    } catch (RuntimeException e) {
      if (running) {
        onFatal.accept(e);
      }
    }
  }

  /** Ends the loop; safe from any thread. Uncommitted records are read again by the next owner. */
  void stop() {
    running = false;
    consumer.wakeup();
  }

  private void receive() {
    Duration timeout = IDLE_POLL;
    if (!pending.isEmpty()) {
      long due = firstPendingMs + settings.batchWait().toMillis();
      timeout = Duration.ofMillis(Math.max(0, due - clock.millis()));
    }
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      if (pending.isEmpty()) {
        firstPendingMs = clock.millis();
      }
      pending.add(r);
    }
  }

  private boolean waitedEnough() {
    return clock.millis() - firstPendingMs >= settings.batchWait().toMillis();
  }

  /** One micro-batch in one transaction; on a transient error, abort and rewind. */
  private void transact(List<ConsumerRecord<byte[], byte[]>> batch) {
    producer.beginTransaction();
    try {
      Runnable tally = transform.process(batch, gallery.current());
      producer.sendOffsetsToTransaction(nextOffsets(batch), consumer.groupMetadata());
      producer.commitTransaction();
      pending.subList(0, batch.size()).clear();
      firstPendingMs = clock.millis();
      tally.run();
    } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
      // Unrecoverable for this producer: another instance owns the transactional.id now.
      throw e;
    } catch (KafkaException e) {
      LOG.warn("batch of {} aborted and rewound: {}", batch.size(), e.toString());
      producer.abortTransaction();
      rewind();
    }
  }

  /** Offsets after the last record of each partition in the batch. */
  private static Map<TopicPartition, OffsetAndMetadata> nextOffsets(
      List<ConsumerRecord<byte[], byte[]>> batch) {
    Map<TopicPartition, OffsetAndMetadata> offsets = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : batch) {
      offsets.put(
          new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
    }
    return offsets;
  }

  /** Seeks every partition back to its first pending record and forgets the pending records. */
  private void rewind() {
    Map<TopicPartition, Long> first = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> r : pending) {
      first.merge(new TopicPartition(r.topic(), r.partition()), r.offset(), Math::min);
    }
    first.forEach(consumer::seek);
    pending.clear();
  }

  /**
   * Records of partitions taken away were never committed: drop them, their new owner reads them
   * again. Records of partitions kept stay pending (a cooperative rebalance keeps the position).
   */
  private final class DropOnRevoke implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      pending.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      LOG.info("attacking traffic from {} partitions", partitions.size());
    }
  }
}
