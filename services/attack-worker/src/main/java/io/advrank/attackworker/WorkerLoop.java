package io.advrank.attackworker;

import io.advrank.attackworker.ForwardLedger.State;
import io.advrank.attackworker.RecoveryScan.Landing;
import io.advrank.attackworker.RecoveryScan.Source;
import io.advrank.runtime.topic.Topics;
import io.advrank.serving.CatalogMirror;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
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
 *       commit. On a transient Kafka error the transaction is aborted and the consumer rewound.
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
 */
final class WorkerLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(WorkerLoop.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(100);

  /** Poll timeout while PGD runs: how soon the loop notices the batch is done when idle. */
  private static final Duration ATTACK_POLL = Duration.ofMillis(5);

  /** How often offsets settled by forwards alone are committed (bounds a successor's scan). */
  static final Duration COMMIT_INTERVAL = Duration.ofMillis(200);

  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final Forwarder forwarder;
  private final ForwardPositions positions;
  private final RecoveryScan recovery;
  private final CatalogMirror gallery;
  private final MicroBatch transform;
  private final AttackWorkerMetrics metrics;
  private final AttackWorkerSettings settings;
  private final Clock clock;
  private final Runnable onReady;
  private final Consumer<Throwable> onFatal;
  private final ForwardLedger ledger = new ForwardLedger();
  private final Map<Source, Landing> alreadyForwarded = new HashMap<>();
  private final List<ConsumerRecord<byte[], byte[]>> pending = new ArrayList<>();
  private final ExecutorService pgd;
  private boolean batchRevoked;
  private boolean catalogPaused;
  private List<ConsumerRecord<byte[], byte[]>> inFlight = List.of();
  private long firstPendingMs;
  private long lastCommitMs;
  private volatile boolean running = true;

  WorkerLoop(
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      Forwarder forwarder,
      ForwardPositions positions,
      RecoveryScan recovery,
      CatalogMirror gallery,
      MicroBatch transform,
      AttackWorkerMetrics metrics,
      AttackWorkerSettings settings,
      Clock clock,
      Runnable onReady,
      Consumer<Throwable> onFatal) {
    this.consumer = consumer;
    this.producer = producer;
    this.forwarder = forwarder;
    this.positions = positions;
    this.recovery = recovery;
    this.gallery = gallery;
    this.transform = transform;
    this.metrics = metrics;
    this.settings = settings;
    this.clock = clock;
    this.onReady = onReady;
    this.onFatal = onFatal;
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
      consumer.subscribe(List.of(Topics.CATALOG.name(), Topics.QUERIES.name()), new Rebalance());
      onReady.run();
      while (running) {
        // Between two batches: the gallery takes in new items and switches versions here, so a
        // backlog of attacks (always a full batch waiting) must not keep the loop from coming back.
        gallery.poll();
        if (mayReceive()) {
          receive();
        }
        if (pending.size() >= settings.batchMax() || (!pending.isEmpty() && waitedEnough())) {
          transact(
              new ArrayList<>(pending.subList(0, Math.min(pending.size(), settings.batchMax()))));
        }
        forwarder.drainAcknowledged(ledger, metrics::forwarded);
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

  private void receive() {
    Duration timeout = IDLE_POLL;
    if (!pending.isEmpty()) {
      long due = firstPendingMs + settings.batchWait().toMillis();
      timeout = Duration.ofMillis(Math.max(0, due - clock.millis()));
    }
    receive(timeout);
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
    forwarder.drainAcknowledged(ledger, metrics::forwarded);
  }

  /** Events waiting for PGD above which catalog uploads are no longer read: max(256, 4 batches). */
  private int readAhead() {
    return Math.max(256, 4 * settings.batchMax());
  }

  /**
   * Whether to read now. Up to {@link #readAhead()} events waiting for PGD, everything is read.
   * Beyond, the catalog's partitions are paused and queries alone are read, up to twice that, then
   * nothing (bounded memory). Without the pause, shoppers' queries, which the benign lane forwards
   * at once, waited behind the catalog records the consumer had already fetched, drained only as
   * fast as PGD worked off the attacks among them: in the demo, whose producer uploads the catalog
   * at start-up, no query was forwarded for the first ~40 s. Paused partitions keep their fetched
   * records and position; only the order in which the two topics are read changes.
   */
  private boolean mayReceive() {
    int waiting = pending.size();
    boolean pause = waiting >= readAhead();
    if (pause || catalogPaused) {
      Set<TopicPartition> catalog = new HashSet<>();
      for (TopicPartition tp : consumer.assignment()) {
        if (tp.topic().equals(Topics.CATALOG.name())) {
          catalog.add(tp);
        }
      }
      if (pause) {
        consumer.pause(catalog); // again each time: a rebalance may have assigned new ones
      } else {
        consumer.resume(catalog);
      }
      catalogPaused = pause;
    }
    return waiting < 2 * readAhead();
  }

  private void receive(Duration timeout) {
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      Landing landing = alreadyForwarded.remove(new Source(tp, r.offset()));
      if (landing != null) {
        ledger.recovered(tp, r.offset(), landing);
        metrics.recoveredForward();
      } else if (transform.forwardsAtOnce(r)) {
        ledger.received(tp, r.offset(), State.FORWARDED);
        forwarder.forward(r);
      } else {
        ledger.received(tp, r.offset(), State.TRANSACTIONAL);
        if (pending.isEmpty()) {
          firstPendingMs = clock.millis();
        }
        pending.add(r);
      }
    }
  }

  private boolean waitedEnough() {
    return clock.millis() - firstPendingMs >= settings.batchWait().toMillis();
  }

  /**
   * One micro-batch in one transaction; on a transient error, or if a rebalance took one of its
   * partitions while PGD ran, abort and rewind.
   */
  private void transact(List<ConsumerRecord<byte[], byte[]>> batch) {
    producer.beginTransaction();
    inFlight = batch;
    batchRevoked = false;
    try {
      Runnable tally =
          transform.process(batch, gallery.current(), pgd, this::receiveWhileAttacking);
      if (batchRevoked) {
        throw new KafkaException("a rebalance took partitions of the batch while it was attacked");
      }
      // Forwards before the batch's records must be acknowledged for the offset to pass them.
      forwarder.flush();
      forwarder.drainAcknowledged(ledger, metrics::forwarded);
      Map<TopicPartition, Long> offsets = ledger.commitOffsets(batch);
      producer.sendOffsetsToTransaction(withPositions(offsets), consumer.groupMetadata());
      producer.commitTransaction();
      ledger.settled(batch);
      ledger.committed(offsets);
      lastCommitMs = clock.millis();
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
    } finally {
      inFlight = List.of();
    }
  }

  /** Commits, without a transaction, offsets that moved because forwards were acknowledged. */
  private void commitForwards() {
    lastCommitMs = clock.millis();
    Map<TopicPartition, Long> offsets = ledger.commitOffsets(List.of());
    if (offsets.isEmpty()) {
      return;
    }
    consumer.commitAsync(
        withPositions(offsets),
        (committed, error) -> {
          if (error != null) {
            LOG.debug(
                "offset commit of forwards failed (a later one retries): {}", error.toString());
          }
        });
    // Forgetting early is safe: a failed commit leaves the group's offset lower, and the records
    // between are forwards that a successor's scan finds.
    ledger.committed(offsets);
  }

  /**
   * The offsets with this worker's forward positions as metadata: where its forwards start, lowered
   * to every forward a commit does not cover, whether made by this worker or found already made
   * (read again, or still to be read: no commit passes a record not read yet).
   */
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

  /**
   * Seeks every partition back to its first uncommitted record; the records after it that were
   * forwarded or settled are remembered with where their forwards landed, so reading them again
   * neither delivers them twice nor lets a later commit's positions pass them.
   */
  private void rewind() {
    forwarder.flush(); // every forward acknowledged: each one's landing is known
    forwarder.drainAcknowledged(ledger, metrics::forwarded);
    alreadyForwarded.putAll(ledger.doneBeyondCommit());
    ledger.firstOpen().forEach(consumer::seek);
    ledger.forgetOpen();
    pending.clear();
  }

  /**
   * Revoked partitions: commit what is settled, forget the rest (the new owner reads it again and
   * skips what was forwarded). Assigned partitions: find what an earlier owner already forwarded.
   */
  private final class Rebalance implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      try {
        forwarder.flush();
        forwarder.drainAcknowledged(ledger, metrics::forwarded);
        Map<TopicPartition, Long> offsets = ledger.commitOffsets(List.of());
        offsets.keySet().retainAll(partitions);
        if (!offsets.isEmpty()) {
          consumer.commitSync(withPositions(offsets));
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
      // forwards are not fenced, see the class comment.)
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
      alreadyForwarded.putAll(found);
      // A partition never committed gets a first commit now, with this worker's forward positions:
      // otherwise a crash before its first commit would leave a successor nowhere to scan from.
      Map<TopicPartition, OffsetAndMetadata> first = new HashMap<>();
      for (TopicPartition tp : partitions) {
        if (committed.get(tp) == null) {
          first.put(tp, new OffsetAndMetadata(consumer.position(tp), positions.encode(Map.of())));
        }
      }
      if (!first.isEmpty()) {
        consumer.commitSync(first);
      }
      LOG.info(
          "attacking traffic from {} partitions ({} events found already forwarded)",
          partitions.size(),
          found.size());
    }

    private void forget(Collection<TopicPartition> partitions) {
      batchRevoked |=
          inFlight.stream()
              .anyMatch(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
      pending.removeIf(r -> partitions.contains(new TopicPartition(r.topic(), r.partition())));
      alreadyForwarded.keySet().removeIf(s -> partitions.contains(s.partition()));
      ledger.forget(partitions);
    }
  }
}
