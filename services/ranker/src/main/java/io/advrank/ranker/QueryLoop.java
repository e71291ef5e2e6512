package io.advrank.ranker;

import io.advrank.core.detection.FeatureSqueeze;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.kafka.KafkaFailures;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.RejectedRecordException;
import io.advrank.serving.CatalogMirror;
import io.advrank.serving.GallerySnapshot;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.KafkaException;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.AuthorizationException;
import org.apache.kafka.common.errors.OutOfOrderSequenceException;
import org.apache.kafka.common.errors.ProducerFencedException;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The query thread: waits until the catalog is loaded, joins the query consumer group, collects
 * delivered queries into a batch (up to {@code query.batch.max} or until the first has waited
 * {@code query.batch.wait}), embeds the batch in one call, ranks it against the current gallery
 * snapshot and publishes one {@link RankingResult} per query.
 *
 * <p>Exactly once: each batch's rankings, its dead letters and its input offsets (with the
 * consumer's group metadata, which fences a ranker of an older generation) are one transaction.
 * Readers with {@code read_committed} see every delivered query answered once, also when a ranker
 * is killed between publishing and committing (its open transaction is aborted when it restarts
 * with the same {@code ranker.id}, or after {@code transaction.timeout.ms}, and the group's next
 * owner answers the batch again). On a transient error the transaction is aborted and the consumer
 * rewound to the batch's first record.
 */
final class QueryLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryLoop.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(200);

  private record Pending(ConsumerRecord<byte[], byte[]> record, InboundImage query, Instant at) {}

  private record Rejected(ConsumerRecord<byte[], byte[]> record, RejectedRecordException error) {}

  private final org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer;
  private final Producer<byte[], byte[]> producer;
  private final EmbeddingModel model;
  private final InboundImages images;
  private final FeatureSqueeze squeeze;
  private final CatalogMirror gallery;
  private final DeadLetters deadLetters;
  private final RankerSettings settings;
  private final Clock clock;
  private final RankerMetrics metrics;
  private final CountDownLatch catalogReady;
  private final Consumer<Throwable> onFatal;
  private final List<Pending> batch = new ArrayList<>();
  private final List<Rejected> rejected = new ArrayList<>();
  private final Map<TopicPartition, OffsetAndMetadata> consumed = new HashMap<>();
  private final Map<TopicPartition, Long> firstRead = new HashMap<>();
  private final List<Runnable> tallies = new ArrayList<>();
  private volatile boolean running = true;

  QueryLoop(
      org.apache.kafka.clients.consumer.Consumer<byte[], byte[]> consumer,
      Producer<byte[], byte[]> producer,
      EmbeddingModel model,
      CatalogMirror gallery,
      DeadLetters deadLetters,
      RankerSettings settings,
      Clock clock,
      RankerMetrics metrics,
      CountDownLatch catalogReady,
      Consumer<Throwable> onFatal) {
    this.consumer = consumer;
    this.producer = producer;
    this.model = model;
    this.images = new InboundImages(model.spec());
    this.squeeze = FeatureSqueeze.of(model.spec());
    metrics.squeezeCoverage("query", squeeze);
    this.gallery = gallery;
    this.deadLetters = deadLetters;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.catalogReady = catalogReady;
    this.onFatal = onFatal;
  }

  @Override
  public void run() {
    try (consumer) {
      while (running && !catalogReady.await(100, TimeUnit.MILLISECONDS)) {
        // Answering before the catalog is loaded would rank against part of it.
      }
      // Fences a killed predecessor with the same transactional.id and aborts what it left open.
      producer.initTransactions();
      consumer.subscribe(List.of(Topics.QUERIES_DELIVERED.name()), new FlushOnRevoke());
      while (running) {
        receive(consumer.poll(pollTimeout()));
        if (batch.size() >= settings.queryBatchMax() || (!batch.isEmpty() && waitedEnough())) {
          flush();
        } else if (batch.isEmpty() && !consumed.isEmpty()) {
          flush(); // only dead letters: commit past them
        }
      }
    } catch (WakeupException | InterruptedException e) {
      // stop() woke us up
    } catch (RuntimeException e) {
      if (running) {
        onFatal.accept(e);
      }
    }
  }

  /** Ends the loop; safe from any thread. Pending queries are left to the group's next owner. */
  void stop() {
    running = false;
    consumer.wakeup();
  }

  private Duration pollTimeout() {
    if (batch.isEmpty()) {
      return IDLE_POLL;
    }
    long dueAt = batch.get(0).at().toEpochMilli() + settings.queryBatchWait().toMillis();
    return Duration.ofMillis(Math.max(0, dueAt - clock.millis()));
  }

  private boolean waitedEnough() {
    return clock.millis() - batch.get(0).at().toEpochMilli()
        >= settings.queryBatchWait().toMillis();
  }

  private void receive(Iterable<ConsumerRecord<byte[], byte[]>> records) {
    Instant now = clock.instant();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      TopicPartition tp = new TopicPartition(r.topic(), r.partition());
      consumed.put(tp, new OffsetAndMetadata(r.offset() + 1));
      firstRead.putIfAbsent(tp, r.offset());
      try {
        batch.add(
            new Pending(
                r, images.read(r, Topics.QUERIES_DELIVERED, ImageKind.IMAGE_KIND_QUERY), now));
      } catch (RejectedRecordException e) {
        rejected.add(new Rejected(r, e)); // dead-lettered in the batch's transaction
      }
    }
  }

  /**
   * Ranks the batch and commits its rankings, dead letters and input offsets in one transaction. On
   * a transient error the transaction is aborted and the consumer rewound, so the batch is read and
   * answered again; an error that fences this producer stops the ranker.
   */
  private void flush() {
    try {
      producer.beginTransaction();
      for (Rejected r : rejected) {
        deadLetters.publish(r.record(), r.error().reason(), r.error());
      }
      if (!batch.isEmpty()) {
        rankBatch();
      }
      producer.sendOffsetsToTransaction(consumed, consumer.groupMetadata());
      producer.commitTransaction();
      tallies.forEach(Runnable::run);
    } catch (ProducerFencedException | OutOfOrderSequenceException | AuthorizationException e) {
      throw e; // another instance owns the transactional.id now: this one must stop
    } catch (KafkaException e) {
      KafkaFailures.logAborted(LOG, batch.size(), e);
      producer.abortTransaction();
      rewind();
    } finally {
      batch.clear();
      rejected.clear();
      consumed.clear();
      firstRead.clear();
      tallies.clear();
    }
  }

  /** Seeks the partitions of an aborted batch back to its first record (those still assigned). */
  private void rewind() {
    Set<TopicPartition> assigned = consumer.assignment();
    firstRead.forEach(
        (tp, offset) -> {
          if (assigned.contains(tp)) {
            consumer.seek(tp, offset);
          }
        });
  }

  private void rankBatch() {
    GallerySnapshot snapshot = gallery.acquire();
    try {
      int size = model.spec().imageSize();
      float[] pixels = new float[batch.size() * size];
      for (int i = 0; i < batch.size(); i++) {
        System.arraycopy(batch.get(i).query().pixels(), 0, pixels, i * size, size);
      }
      // The snapshot's own model: a batch finishes on the version it started with.
      FeatureSqueeze.Scored scored = squeeze.embedAndScore(snapshot.model(), pixels, batch.size());
      List<List<Hit>> hits = TopHits.of(snapshot, scored.embeddings(), settings.topK());
      float[] consistency = scored.scores();
      metrics.batchSize.record(batch.size());
      for (int i = 0; i < batch.size(); i++) {
        publish(batch.get(i), snapshot, hits.get(i), consistency[i]);
      }
    } catch (RuntimeException e) {
      LOG.warn("ranking a batch of {} failed: {}", batch.size(), e.toString());
      batch.forEach(p -> deadLetters.publish(p.record(), Reason.PROCESSING_FAILED, e));
    } finally {
      snapshot.release();
    }
  }

  private void publish(
      Pending pending, GallerySnapshot snapshot, List<Hit> hits, float consistencyScore) {
    InboundImage query = pending.query();
    Instant now = clock.instant();
    Duration latency = Duration.between(pending.at(), now);
    RankingResult.Builder result =
        RankingResult.newBuilder()
            .setQueryEventId(query.eventId())
            .setQueryId(query.itemId())
            .setModelVersion(snapshot.modelVersion())
            .addAllHits(hits)
            .setGallerySize(snapshot.size())
            .setRankedAtMs(now.toEpochMilli())
            .setLatencyMicros(Math.max(0, latency.toNanos() / 1000))
            .setConsistencyScore(consistencyScore);
    if (query.label() >= 0) {
      result.setQueryLabel(query.label());
    }
    String topic = Topics.RANKINGS.name();
    RecordHeaders headers = new RecordHeaders();
    byte[] key = Topics.RANKINGS.keySerde().serializer().serialize(topic, query.itemId());
    byte[] value =
        Topics.RANKINGS.valueSerde().serializer().serialize(topic, headers, result.build());
    producer.send(new ProducerRecord<>(topic, null, key, value, headers));
    tallies.add(
        () -> {
          metrics.latency.record(latency);
          metrics.rankings.increment();
        });
  }

  /** Ranks and commits what was read from partitions before another ranker takes them over. */
  private final class FlushOnRevoke implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!batch.isEmpty() || !consumed.isEmpty()) {
        flush();
      }
    }

    @Override
    public void onPartitionsAssigned(Collection<TopicPartition> partitions) {
      LOG.info("ranking queries from {} partitions", partitions.size());
    }

    @Override
    public void onPartitionsLost(Collection<TopicPartition> partitions) {
      // Offsets can no longer be committed: drop the batch, the new owner ranks it again.
      batch.clear();
      rejected.clear();
      consumed.clear();
      firstRead.clear();
    }
  }
}
