package io.advrank.attackworker;

import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.topic.Topics;
import io.advrank.serving.CatalogMirror;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The worker thread, with two lanes and exactly-once delivery across crashes.
 *
 * <ul>
 *   <li><b>Benign lane</b>: an event the campaign leaves alone (and a tombstone) is forwarded the
 *       moment it is read, by an idempotent producer outside transactions ({@link Forwarder}), so
 *       it never waits for a transaction (one cost ~30 ms here, and read_committed readers see a
 *       write only once its markers are in).
 *   <li><b>Transactional lane</b>: events to attack and invalid ones collect into a micro-batch (up
 *       to {@code batch.max}, or whatever arrived once the first has waited {@code batch.wait});
 *       per batch: begin a transaction, send every output ({@link MicroBatch}), add the input
 *       offsets with the consumer's group metadata (which fences a zombie of an older generation),
 *       commit. On a transient Kafka error the transaction is aborted and the consumer rewound
 *       ({@link BatchTransaction}).
 * </ul>
 *
 * <p>Offsets: the group's offset of a partition moves to its first record not settled yet ({@link
 * ForwardLedger}) — inside each transaction, and every {@link #COMMIT_INTERVAL} by an asynchronous
 * commit when only forwards settled. Each commit's metadata says where this worker's later forwards
 * can start ({@link ForwardPositions}); a new owner of the partition scans from there and skips the
 * events already forwarded ({@link RecoveryScan}), so none is delivered twice and none lost. Unlike
 * transactions, forwards are not fenced: a worker that lost its partitions without noticing could
 * still forward what its last poll returned. Forwards are sent right after the poll that returned
 * them (the long stall, PGD, runs on another thread and never between the two), so that window is
 * the time between a poll and its sends.
 *
 * <p>This class is the shell that wires the clients to the steps, each tested without a broker:
 * {@link ReadAhead} (when to read, which partitions to pause), {@link PendingBatch} (when a batch
 * is due), {@link OffsetCommits} (each record's lane; which offsets to commit, with which metadata)
 * and {@link BatchTransaction} (one batch's transaction, or its abort and rewind).
 */
final class WorkerLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(100);

  /** Poll timeout while PGD runs: how soon the loop notices the batch is done when idle. */
  private static final Duration ATTACK_POLL = Duration.ofMillis(5);

  /** How often offsets settled by forwards alone are committed (bounds a successor's scan). */
  static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

  /**
   * The worker's Kafka side, which it does not close.
   *
   * @param consumer the work consumer, in the group
   * @param producer the transactional producer (not initialised yet)
   * @param deadLetters publishes through {@code producer}
   * @param forwarder the benign lane
   * @param recovery the scan for forwards an earlier owner made
   */
  record Clients(
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      DeadLetters deadLetters,
      Forwarder forwarder,
      RecoveryScan recovery) {}

  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final Forwarder forwarder;
  private final ForwardPositions positions;
  private final RecoveryScan recovery;
  private final CatalogMirror gallery;
  private final MicroBatch transform;
  private final AttackWorkerMetrics metrics;
  private final Clock clock;
  private final Runnable onReady;
  private final Consumer<Throwable> onFatal;
  private final OffsetCommits commits;
  private final PendingBatch pending;
  private final ReadAhead readAhead;
  private final BatchTransaction transaction;
  private final ExecutorService pgd;
  private long lastCommitMs;
  private volatile boolean running = true;

  /**
   * @param positions where this worker's forwards start (its {@link Forwarder}'s)
   * @param onReady called once the gallery is loaded and traffic is read
   * @param onFatal called with the error that stopped the loop
   */
  WorkerLoop(
      Clients clients,
      ForwardPositions positions,
      CatalogMirror gallery,
      MicroBatch transform,
      AttackWorkerMetrics metrics,
      AttackWorkerSettings settings,
      Clock clock,
      Runnable onReady,
      Consumer<Throwable> onFatal) {
    this.consumer = clients.consumer();
    this.producer = clients.producer();
    this.forwarder = clients.forwarder();
    this.positions = positions;
    this.recovery = clients.recovery();
    this.gallery = gallery;
    this.transform = transform;
    this.metrics = metrics;
    this.clock = clock;
    this.onReady = onReady;
    this.onFatal = onFatal;
    this.commits = new OffsetCommits(positions);
    this.pending = new PendingBatch(settings.batchMax(), settings.batchWait());
    this.readAhead = new ReadAhead(settings.batchMax());
    this.transaction =
        new BatchTransaction(
            consumer,
            producer,
            clients.deadLetters(),
            forwarder,
            commits,
            transform,
            metrics::forwarded);
    this.pgd =
        Executors.newSingleThreadExecutor(
            r -> {
              Thread t = new Thread(r, "advrank-" + settings.workerId() + "-pgd");
              t.setDaemon(true);
              return t;
            });
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
      positions.start(recovery.endOffsets(deliveredPartitions()));
      consumer.subscribe(
          List.of(Topics.CATALOG.name(), Topics.QUERIES.name()),
          new PartitionHandOver(
              consumer, forwarder, recovery, commits, pending, transaction, metrics::forwarded));
      onReady.run();
      while (running) {
        // Between two batches: the gallery takes in new items and switches versions here, so a
        // backlog of attacks (always a full batch waiting) must not keep the loop from coming back.
        gallery.poll();
        if (mayReceive()) {
          receive(pending.pollTimeout(clock.millis(), IDLE_POLL));
        }
        if (pending.due(clock.millis())) {
          transact(pending.next());
        }
        drainForwards();
        if (clock.millis() - lastCommitMs >= COMMIT_INTERVAL.toMillis()) {
          commitForwards();
        }
      }
    } catch (WakeupException e) {
      // stop() woke us up
    } catch (RuntimeException e) {
      if (running) {
        onFatal.accept(e);
      }
    } finally {
      pgd.shutdownNow();
    }
  }

  /** Ends the loop; safe from any thread. Uncommitted records are read again by the next owner. */
  void stop() {
    running = false;
    consumer.wakeup();
  }

  private Set<TopicPartition> deliveredPartitions() {
    Set<TopicPartition> all = new HashSet<>();
    for (String topic : List.of(Topics.CATALOG_DELIVERED.name(), Topics.QUERIES_DELIVERED.name())) {
      for (PartitionInfo p : consumer.partitionsFor(topic)) {
        all.add(new TopicPartition(topic, p.partition()));
      }
    }
    return all;
  }

  /**
   * While a batch's PGD runs on its own thread: benign events are still forwarded as they come,
   * events to attack queue up for the next batch, and new catalog items are embedded for the
   * gallery (which is rebuilt only between batches).
   */
  private void receiveWhileAttacking() {
    gallery.takeIn();
    if (mayReceive()) {
      receive(ATTACK_POLL);
    } else {
      // Enough queued for the next batches: stop reading (bounded memory) until PGD is done.
      LockSupport.parkNanos(ATTACK_POLL.toNanos());
    }
    drainForwards();
  }

  /** Pauses or resumes the catalog as {@link ReadAhead} says; whether to read now. */
  private boolean mayReceive() {
    ReadAhead.Step step = readAhead.next(pending.size(), consumer.assignment());
    if (!step.pause().isEmpty()) {
      consumer.pause(step.pause());
    }
    if (!step.resume().isEmpty()) {
      consumer.resume(step.resume());
    }
    return step.poll();
  }

  private void receive(Duration timeout) {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      switch (commits.received(r, transform::forwardsAtOnce)) {
        case RECOVERED -> metrics.recoveredForward();
        case FORWARD -> forwarder.forward(r);
        case TRANSACTION -> pending.add(r, clock.millis());
      }
    }
  }

  private void drainForwards() {
    forwarder.drainAcknowledged(commits.ledger(), metrics::forwarded);
  }

  private void transact(List<ConsumerRecord<byte[], byte[]>> batch) {
    if (transaction.commit(batch, gallery.current(), pgd, this::receiveWhileAttacking)) {
      lastCommitMs = clock.millis();
      pending.committed(batch.size(), lastCommitMs);
    } else {
      pending.clear(); // rewound: read again
    }
  }

  /** Commits, without a transaction, offsets that moved because forwards were acknowledged. */
  private void commitForwards() {
    lastCommitMs = clock.millis();
    Map<TopicPartition, OffsetAndMetadata> offsets = commits.forForwards();
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(
        offsets,
        (committed, error) -> {
          if (error != null) {
            LOG.debug(
                "offset commit of forwards failed (a later one retries): {}", error.toString());
          }
        });
    commits.committed(offsets);
  }
}
