package io.advrank.attackworker;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.model.SwapStages;
import io.advrank.runtime.model.SwapStages.Stage;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.RejectedRecordException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;

/**
 * Keeps the attack gallery X: the clean embedding of every catalog item on {@code advrank.catalog},
 * read per instance (all partitions, from the beginning, no group, nothing committed) like the
 * ranker's catalog loop. Reading the whole topic, rather than only the catalog items that reach
 * this worker's own partitions, gives every instance — and a restarted one — the same gallery, and
 * so the same targets and rank percentiles for the same event.
 *
 * <p>At start {@link #loadInitial} reads up to the end offsets noted then, so the first attack sees
 * the whole existing catalog. Afterwards {@link #poll} takes in new items without blocking and the
 * gallery is rebuilt (one embed call, one index) every {@code gallery.rebuild.items} new items or
 * {@code gallery.rebuild.interval}. A re-upload replaces the item; a tombstone removes it. Records
 * that do not read as valid images are skipped here: the work loop dead-letters them.
 */
final class GalleryFeed implements AutoCloseable {
  private record Entry(String eventId, float[] pixels, float[] embedding) {}

  /** A loaded version waiting to be switched to, what the feed said about it, and since when. */
  private record Swap(EmbeddingModel model, ModelUpdate update, long offeredAtNanos) {}

  private final Consumer<byte[], byte[]> consumer;
  private final AtomicReference<Swap> pendingSwap = new AtomicReference<>();
  private final java.util.function.Consumer<ModelUpdate> onSwapped;
  private final SwapStages stages;
  private EmbeddingModel model;
  private boolean ownsModel; // versions from the model feed are ours to close; the first is not
  private final InboundEvents inbound;
  private final AttackWorkerSettings settings;
  private final Clock clock;
  // Insertion order keeps gallery rows, and so tie-breaking and sampled targets, reproducible.
  private final Map<String, Entry> items = new LinkedHashMap<>();
  private int pending;
  private long firstPendingMs;
  private AttackGallery current;

  GalleryFeed(
      Consumer<byte[], byte[]> consumer,
      EmbeddingModel model,
      AttackWorkerSettings settings,
      Clock clock,
      java.util.function.Consumer<ModelUpdate> onSwapped,
      SwapStages stages) {
    this.consumer = consumer;
    this.model = model;
    this.onSwapped = onSwapped;
    this.stages = stages;
    this.inbound = new InboundEvents(model.spec(), settings.maxEventBytes());
    this.settings = settings;
    this.clock = clock;
    this.current = build();
  }

  /** Reads the catalog as it is now, then builds the first gallery; false if stopped first. */
  boolean loadInitial(BooleanSupplier running) {
    List<TopicPartition> partitions =
        consumer.partitionsFor(Topics.CATALOG.name()).stream()
            .map(info -> new TopicPartition(info.topic(), info.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    Map<TopicPartition, Long> end = consumer.endOffsets(partitions);
    while (running.getAsBoolean() && !caughtUp(end)) {
      ingest(Duration.ofMillis(100));
    }
    rebuild();
    return running.getAsBoolean();
  }

  /**
   * Hands over a newly loaded version (from the model feed's thread); the next {@link #poll}
   * switches to it. A version still waiting is dropped (and closed) for it.
   */
  void offer(EmbeddingModel next, ModelUpdate update) {
    Swap previous = pendingSwap.getAndSet(new Swap(next, update, System.nanoTime()));
    if (previous != null) {
      previous.model().close();
    }
  }

  /** The model version attacks run with now. */
  String modelVersion() {
    return current.model().version();
  }

  /**
   * Takes in new catalog items without waiting and rebuilds the gallery when due. Between two
   * micro-batches, so a batch always finishes on the version it started with, it also switches to a
   * waiting model version: the whole gallery is re-embedded with it from the stored images.
   */
  void poll() {
    swapIfWaiting();
    ingest(Duration.ZERO);
    long now = clock.millis();
    if (pending >= settings.galleryRebuildItems()
        || (pending > 0 && now - firstPendingMs >= settings.galleryRebuildInterval().toMillis())) {
      rebuild();
    }
  }

  /**
   * Takes in new catalog items (embedding them) without rebuilding the gallery or switching
   * versions: safe while a PGD batch runs against {@link #current}, so uploads are embedded on the
   * worker thread in parallel with PGD instead of after it.
   */
  void takeIn() {
    ingest(Duration.ZERO);
  }

  /** The gallery attacks run against now; replaced (and closed) by a later {@link #poll}. */
  AttackGallery current() {
    return current;
  }

  private void swapIfWaiting() {
    Swap swap = pendingSwap.getAndSet(null);
    if (swap == null) {
      return;
    }
    long start = System.nanoTime();
    stages.record(Stage.WAIT, start - swap.offeredAtNanos());
    EmbeddingModel previous = model;
    boolean ownedPrevious = ownsModel;
    model = swap.model();
    ownsModel = true;
    reembed();
    long embedded = System.nanoTime();
    stages.record(Stage.REEMBED, embedded - start);
    rebuild();
    stages.record(Stage.INDEX, System.nanoTime() - embedded);
    if (ownedPrevious) {
      previous.close();
    }
    onSwapped.accept(swap.update());
  }

  private void reembed() {
    int n = items.size();
    if (n == 0) {
      return;
    }
    int size = model.spec().imageSize();
    float[] pixels = new float[n * size];
    int i = 0;
    for (Entry e : items.values()) {
      System.arraycopy(e.pixels(), 0, pixels, i++ * size, size);
    }
    Embeddings fresh = model.embed(pixels, n);
    i = 0;
    for (Map.Entry<String, Entry> e : items.entrySet()) {
      Entry old = e.getValue();
      e.setValue(new Entry(old.eventId(), old.pixels(), fresh.row(i++)));
    }
  }

  private boolean caughtUp(Map<TopicPartition, Long> end) {
    return end.entrySet().stream().allMatch(e -> consumer.position(e.getKey()) >= e.getValue());
  }

  private void ingest(Duration timeout) {
    List<ImageEvent> fresh = new ArrayList<>();
    List<float[]> pixels = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : consumer.poll(timeout)) {
      if (r.value() == null) {
        if (r.key() != null && items.remove(new String(r.key(), StandardCharsets.UTF_8)) != null) {
          changed();
        }
        continue;
      }
      try {
        InboundEvent e = inbound.read(r, clock.millis());
        fresh.add(e.event());
        pixels.add(e.pixels());
      } catch (RejectedRecordException e) {
        // Not a usable image: the work loop dead-letters it; it is no part of the gallery.
      }
    }
    if (!fresh.isEmpty()) {
      Embeddings embedded = model.embed(concat(pixels), fresh.size());
      for (int i = 0; i < fresh.size(); i++) {
        ImageEvent e = fresh.get(i);
        items.remove(e.getItemId()); // a re-upload moves to the end, as a new row
        items.put(e.getItemId(), new Entry(e.getEventId(), pixels.get(i), embedded.row(i)));
        changed();
      }
    }
  }

  private void changed() {
    if (pending++ == 0) {
      firstPendingMs = clock.millis();
    }
  }

  private void rebuild() {
    AttackGallery previous = current;
    current = build();
    previous.close();
    pending = 0;
  }

  private AttackGallery build() {
    int n = items.size();
    int dim = model.spec().embeddingSize();
    String[] ids = new String[n];
    String[] eventIds = new String[n];
    float[] values = new float[n * dim];
    int i = 0;
    for (Map.Entry<String, Entry> e : items.entrySet()) {
      ids[i] = e.getKey();
      eventIds[i] = e.getValue().eventId();
      System.arraycopy(e.getValue().embedding(), 0, values, i * dim, dim);
      i++;
    }
    return AttackGallery.of(model, ids, eventIds, new Embeddings(values, n, dim));
  }

  private static float[] concat(List<float[]> images) {
    int size = images.get(0).length;
    float[] out = new float[images.size() * size];
    for (int i = 0; i < images.size(); i++) {
      System.arraycopy(images.get(i), 0, out, i * size, size);
    }
    return out;
  }

  @Override
  public void close() {
    current.close();
    consumer.close();
    Swap waiting = pendingSwap.getAndSet(null);
    if (waiting != null) {
      waiting.model().close();
    }
    if (ownsModel) {
      model.close();
    }
  }
}
