package io.advrank.ranker;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.proto.v1.ImageKind;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.model.SwapStages.Stage;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.RejectedRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.ConsumerRecords;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The catalog thread: reads every partition of {@code advrank.catalog.delivered} from the
 * beginning, embeds the items of each poll in one micro-batch, and rebuilds the search index off
 * the query path, every {@code index.rebuild.items} changes or {@code index.rebuild.interval}.
 *
 * <p>At start it notes the topic's end offsets; once it has read up to them (the catalog as it was
 * when the ranker started) it publishes the first full index and signals ready, so a restarted
 * ranker never answers against half a catalog. Until then it builds no intermediate indexes.
 *
 * <p>Hot swap: a new model version ({@link #offer}) is switched to between two polls: the catalog
 * is re-embedded from the stored images and the new index, tagged with the new version, replaces
 * the old one in one atomic step.
 */
final class CatalogLoop implements Runnable {
  private static final Logger LOG = LoggerFactory.getLogger(CatalogLoop.class);
  private static final Duration MAX_POLL = Duration.ofMillis(200);
  private static final Duration MIN_POLL = Duration.ofMillis(10);

  /** A loaded version waiting to be switched to, what the feed said about it, and since when. */
  private record Swap(SharedModel model, ModelUpdate update, long offeredAtNanos) {}

  private final KafkaConsumer<byte[], byte[]> consumer;
  private final AtomicReference<Swap> pendingSwap = new AtomicReference<>();
  private final Consumer<ModelUpdate> onSwapped;
  private SharedModel model;
  private final InboundImages images;
  private final LiveGallery gallery;
  private final DeadLetters deadLetters;
  private final RankerSettings settings;
  private final Clock clock;
  private final RankerMetrics metrics;
  private final Runnable onReady;
  private final Consumer<Throwable> onFatal;
  private final CatalogStore store;
  private final CatalogObservations observations;
  private Map<TopicPartition, Long> startupEnd;
  private volatile boolean running = true;
  private volatile boolean polling; // past the set-up: offer() may wake a poll in progress

  CatalogLoop(
      KafkaConsumer<byte[], byte[]> consumer,
      SharedModel model,
      LiveGallery gallery,
      DeadLetters deadLetters,
      RankerSettings settings,
      Clock clock,
      RankerMetrics metrics,
      CatalogObservations observations,
      Runnable onReady,
      Consumer<ModelUpdate> onSwapped,
      Consumer<Throwable> onFatal) {
    this.consumer = consumer;
    this.model = model;
    this.onSwapped = onSwapped;
    this.images = new InboundImages(model.model().spec());
    this.gallery = gallery;
    this.deadLetters = deadLetters;
    this.settings = settings;
    this.clock = clock;
    this.metrics = metrics;
    this.observations = observations;
    this.onReady = onReady;
    this.onFatal = onFatal;
    this.store = new CatalogStore(model.model().spec().embeddingSize());
  }

  @Override
  public void run() {
    try (consumer) {
      List<TopicPartition> partitions =
          consumer.partitionsFor(Topics.CATALOG_DELIVERED.name()).stream()
              .map(info -> new TopicPartition(info.topic(), info.partition()))
              .toList();
      consumer.assign(partitions);
      consumer.seekToBeginning(partitions);
      startupEnd = consumer.endOffsets(partitions);
      // Wake up often enough to honour the rebuild interval, without spinning when it is 0.
      Duration poll = min(MAX_POLL, max(MIN_POLL, settings.rebuildInterval()));
      polling = true;
      while (running) {
        try {
          // A version waiting (offered between the last swap check and this poll): no wait.
          ingest(consumer.poll(pendingSwap.get() == null ? poll : Duration.ZERO));
        } catch (WakeupException e) {
          if (!running) {
            break; // stop()
          }
          // offer() cut the poll short, so that the waiting version is switched to now
        }
        maybeSwap();
        try {
          maybeRebuild();
        } catch (WakeupException e) {
          if (!running) {
            break;
          } // offer() hit the position check instead of a poll: the next round redoes it
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

  /** Ends the loop; safe from any thread. */
  void stop() {
    running = false;
    consumer.wakeup();
  }

  /**
   * Hands over a newly loaded version (from the model feed's thread); the loop re-embeds the
   * catalog with it and switches, between two polls, cutting a poll in progress short. A version
   * still waiting is dropped for it.
   */
  void offer(EmbeddingModel next, ModelUpdate update) {
    Swap previous =
        pendingSwap.getAndSet(new Swap(new SharedModel(next, true), update, System.nanoTime()));
    if (previous != null) {
      previous.model().release();
    }
    if (polling) {
      consumer.wakeup();
    }
  }

  /** After the loop ended: gives back its references to the served and any waiting version. */
  void releaseModels() {
    Swap waiting = pendingSwap.getAndSet(null);
    if (waiting != null) {
      waiting.model().release();
    }
    model.release();
  }

  /**
   * Re-embeds the whole catalog with the waiting version off the query path, then publishes the new
   * index atomically: queries already ranking keep the old snapshot and its model until they end.
   */
  private void maybeSwap() {
    Swap swap = pendingSwap.getAndSet(null);
    if (swap == null) {
      return;
    }
    long start = System.nanoTime();
    metrics.swapStages.record(Stage.WAIT, start - swap.offeredAtNanos());
    EmbeddingModel next = swap.model().model();
    store.reembed(next::embed, next.spec().imageSize(), clock.millis());
    long embedded = System.nanoTime();
    metrics.swapStages.record(Stage.REEMBED, embedded - start);
    SharedModel previous = model;
    model = swap.model();
    if (startupEnd == null) {
      rebuild(); // still loading: the first index is built with the new version anyway
      metrics.swapStages.record(Stage.INDEX, System.nanoTime() - embedded);
    }
    previous.release();
    onSwapped.accept(swap.update());
  }

  private void ingest(ConsumerRecords<byte[], byte[]> records) {
    List<ConsumerRecord<byte[], byte[]>> accepted = new ArrayList<>();
    List<InboundImage> items = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : records) {
      if (r.value() == null && r.key() != null) {
        store.remove(new String(r.key(), StandardCharsets.UTF_8), clock.millis());
        continue;
      }
      try {
        items.add(images.read(r, Topics.CATALOG_DELIVERED, ImageKind.IMAGE_KIND_CATALOG_ITEM));
        accepted.add(r);
      } catch (RejectedRecordException e) {
        deadLetters.publish(r, e.reason(), e);
      }
    }
    if (!items.isEmpty()) {
      embedInto(items, accepted);
    }
  }

  /** One embed call for the whole poll: the micro-batch. */
  private void embedInto(List<InboundImage> items, List<ConsumerRecord<byte[], byte[]>> records) {
    int size = model.model().spec().imageSize();
    float[] pixels = new float[items.size() * size];
    for (int i = 0; i < items.size(); i++) {
      System.arraycopy(items.get(i).pixels(), 0, pixels, i * size, size);
    }
    Embeddings embeddings;
    try {
      embeddings = model.model().embed(pixels, items.size());
    } catch (RuntimeException e) {
      records.forEach(r -> deadLetters.publish(r, Reason.PROCESSING_FAILED, e));
      return;
    }
    long now = clock.millis();
    observe(pixels, items, records, embeddings, now);
    for (int i = 0; i < items.size(); i++) {
      InboundImage item = items.get(i);
      store.put(item.itemId(), item.pixels(), embeddings.row(i), item.label(), now);
    }
  }

  /** Detector signals for the monitor; best effort: a failure never holds up the catalog. */
  private void observe(
      float[] pixels,
      List<InboundImage> items,
      List<ConsumerRecord<byte[], byte[]>> records,
      Embeddings embeddings,
      long now) {
    List<float[]> previous = items.stream().map(i -> store.embedding(i.itemId())).toList();
    try {
      observations.publish(model.model(), pixels, items, records, embeddings, previous, now);
    } catch (RuntimeException e) {
      LOG.warn("catalog observations of {} items failed: {}", items.size(), e.toString());
    }
  }

  private void maybeRebuild() {
    if (startupEnd != null) {
      if (!caughtUp()) {
        return; // loading: one index at the end, not one per batch
      }
      startupEnd = null;
      rebuild();
      LOG.info("catalog loaded: {} items", store.size());
      onReady.run();
    } else if (store.rebuildDue(
        clock.millis(), settings.rebuildItems(), settings.rebuildInterval())) {
      rebuild();
    }
  }

  private boolean caughtUp() {
    for (Map.Entry<TopicPartition, Long> end : startupEnd.entrySet()) {
      if (consumer.position(end.getKey()) < end.getValue()) {
        return false;
      }
    }
    return true;
  }

  private void rebuild() {
    gallery.publish(GallerySnapshot.of(store.snapshot(), model));
    metrics.catalogItems(store.size());
    metrics.rebuilds.increment();
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
