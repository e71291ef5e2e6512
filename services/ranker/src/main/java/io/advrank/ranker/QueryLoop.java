package io.advrank.ranker;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.DeadLetters.Reason;
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
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.CommitFailedException;
import org.apache.kafka.clients.consumer.ConsumerRebalanceListener;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.clients.producer.RecordMetadata;
import org.apache.kafka.common.TopicPartition;
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
 * <p>At-least-once: offsets are committed after the batch's rankings and dead letters are
 * acknowledged, so a crash or a rebalance in between can repeat a ranking (same query id and event
 * id, so a reader can drop the repeat), never lose one.
 */
final class QueryLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(QueryLoop.class);
  private static final Duration IDLE_POLL = Duration.ofMillis(200);

  private record Pending(ConsumerRecord<byte[], byte[]> record, InboundImage query, Instant at) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
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
  private final Map<TopicPartition, OffsetAndMetadata> consumed = new HashMap<>();
  private final List<Future<RecordMetadata>> sends = new ArrayList<>();
  private volatile boolean running = true;

  QueryLoop(
      KafkaConsumer<byte[], byte[]> consumer,
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
      consumed.put(
          new TopicPartition(r.topic(), r.partition()), new OffsetAndMetadata(r.offset() + 1));
      try {
        batch.add(
            new Pending(
                r, images.read(r, Topics.QUERIES_DELIVERED, ImageKind.IMAGE_KIND_QUERY), now));
      } catch (RejectedRecordException e) {
        sends.add(deadLetters.publish(r, e.reason(), e));
      }
    }
  }

  /**
   * Ranks the batch, publishes, waits for the acknowledgements, then commits: asynchronously in the
   * loop (a blocking commit held the next batch for a round trip to the group coordinator; a failed
   * one only means a later commit covers these offsets), synchronously on revocation.
   */
  private void flush() {
    flush(false);
  }

  private void flush(boolean sync) {
    if (!batch.isEmpty()) {
      rankBatch();
    }
    producer.flush();
    for (Future<RecordMetadata> send : sends) {
      awaitSent(send);
    }
    sends.clear();
    batch.clear();
    if (sync) {
      try {
        consumer.commitSync(consumed);
      } catch (CommitFailedException e) {
        LOG.warn(
            "commit after a rebalance failed; the new owner may rank these again: {}",
            e.toString());
      }
    } else {
      consumer.commitAsync(
          new HashMap<>(consumed),
          (offsets, error) -> {
            if (error != null) {
              LOG.debug("offset commit failed (a later one covers it): {}", error.toString());
            }
          });
    }
    consumed.clear();
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
      batch.forEach(p -> sends.add(deadLetters.publish(p.record(), Reason.PROCESSING_FAILED, e)));
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
    sends.add(producer.send(new ProducerRecord<>(topic, null, key, value, headers)));
    metrics.latency.record(latency);
    metrics.rankings.increment();
  }

  private static void awaitSent(Future<RecordMetadata> send) {
    try {
      send.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted while publishing rankings", e);
    } catch (ExecutionException e) {
      // The client retried until delivery.timeout.ms: stop rather than commit past a lost ranking.
      throw new IllegalStateException("publishing a ranking failed: " + e.getCause(), e.getCause());
    }
  }

  /** Ranks and commits what was read from partitions before another ranker takes them over. */
  private final class FlushOnRevoke implements ConsumerRebalanceListener {
    @Override
    public void onPartitionsRevoked(Collection<TopicPartition> partitions) {
      if (!batch.isEmpty() || !consumed.isEmpty()) {
        flush(true);
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
      sends.clear();
      consumed.clear();
    }
  }
}
