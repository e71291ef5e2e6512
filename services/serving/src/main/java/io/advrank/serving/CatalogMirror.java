package io.advrank.serving;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.model.SwapStages;
import io.advrank.runtime.model.SwapStages.Stage;
import io.advrank.runtime.wire.RejectedRecordException;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.BooleanSupplier;
import org.apache.kafka.clients.consumer.Consumer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;

/**
 * A service's mirror of the catalog, embedded with the model version it serves. It reads every
 * partition of a catalog topic from the beginning (no group, nothing committed, so every instance
 * and a restarted one holds the same catalog), embeds each poll's images in one call, and publishes
 * immutable {@link GallerySnapshot}s atomically: readers {@link #acquire()} one and keep it (and
 * its model) for a whole batch even if it is replaced meanwhile.
 *
 * <p>A snapshot is rebuilt every {@code items} changes or when the oldest change is {@code
 * interval} old ({@link CatalogMirrorBuilder#setRebuild}). While the catalog present at start is
 * read (up to the end offsets noted then) no intermediate snapshot is built, so nothing answers
 * against half a catalog. A re-upload replaces its item, a tombstone removes it.
 *
 * <p>Hot swap: a loaded version {@link #offer}ed (e.g. by {@link ServedVersions}'s feed) is
 * switched to between two polls: the whole catalog is re-embedded from the stored images and the
 * new snapshot, tagged with the new version, replaces the old one in one atomic step. Each swap's
 * {@code wait}, {@code reembed} and {@code index} stages are timed ({@link SwapStages}).
 *
 * <p>Two ways to drive it, both on one thread: {@link #run()} on its own thread (an offer cuts a
 * poll in progress short; {@link #stop()} ends it), or from a service's loop: {@link #loadInitial},
 * then {@link #poll()} between batches and {@link #takeIn()} while one runs.
 */
public final class CatalogMirror implements Runnable, AutoCloseable {
  private static final Duration MAX_POLL = Duration.ofMillis(200);
  private static final Duration MIN_POLL = Duration.ofMillis(10);
  private static final Duration LOAD_POLL = Duration.ofMillis(100);

  /** Reads a catalog record (never a tombstone with a key) as an image, or refuses it. */
  @FunctionalInterface
  public interface Decoder {
    CatalogItem read(ConsumerRecord<byte[], byte[]> record) throws RejectedRecordException;
  }

  /** A loaded version waiting to be switched to, what the feed said about it, and since when. */
  private record Swap(SharedModel model, ModelUpdate update, long offeredAtNanos) {}

  private final Consumer<byte[], byte[]> consumer;
  private final String topic;
  private final MirrorEvents events;
  private final CatalogStore store;
  private final CatalogIngest ingest;
  private final LiveGallery live;
  private final SwapStages stages;
  private final Clock clock;
  private final int rebuildItems;
  private final Duration rebuildInterval;
  private final boolean withAttacker;
  private final AtomicReference<Swap> pendingSwap = new AtomicReference<>();
  private SharedModel model;
  private Map<TopicPartition, Long> startupEnd; // non-null while the start-up catalog is read
  private volatile boolean running = true;
  private volatile boolean polling; // run() is past its set-up: offer() may wake a poll
  private volatile boolean threaded; // run() closes the consumer itself

  CatalogMirror(CatalogMirrorBuilder b) {
    this.consumer = Objects.requireNonNull(b.consumer, "consumer");
    this.topic = Objects.requireNonNull(b.topic, "topic");
    this.events = b.events;
    this.stages = Objects.requireNonNull(b.stages, "swapStages");
    this.clock = Objects.requireNonNull(b.clock, "clock");
    this.rebuildInterval = Objects.requireNonNull(b.rebuildInterval, "rebuild interval");
    this.rebuildItems = b.rebuildItems;
    this.withAttacker = b.attacker;
    EmbeddingModel initial = Objects.requireNonNull(b.model, "model");
    this.model = new SharedModel(initial, b.ownsModel);
    int dim = initial.spec().embeddingSize();
    this.store = new CatalogStore(dim, b.reuploadsLast);
    this.ingest =
        new CatalogIngest(Objects.requireNonNull(b.decoder, "decoder"), events, store, clock);
    this.live =
        new LiveGallery(GallerySnapshot.of(CatalogStore.Rows.empty(dim), model, withAttacker));
  }

  /** A builder; every {@code set*} is required, every {@code opt*} optional. */
  public static CatalogMirrorBuilder builder() {
    return new CatalogMirrorBuilder();
  }

  /** The current snapshot, with a reference the caller must {@link GallerySnapshot#release()}. */
  public GallerySnapshot acquire() {
    return live.acquire();
  }

  /**
   * The current snapshot without a reference: only for the thread that drives the mirror, and valid
   * until its next {@link #poll()} (which may replace and free it).
   */
  public GallerySnapshot current() {
    return live.peek();
  }

  /** The version of the current snapshot: the one served now. */
  public String modelVersion() {
    return live.modelVersion();
  }

  /** Items in the current snapshot. */
  public int size() {
    return live.size();
  }

  /**
   * Hands over a newly loaded version (from the model feed's thread), which the mirror owns from
   * now on; the mirror re-embeds the catalog with it and switches between two polls. A version
   * still waiting is dropped for it.
   */
  public void offer(EmbeddingModel next, ModelUpdate update) {
    Swap previous =
        pendingSwap.getAndSet(new Swap(new SharedModel(next, true), update, System.nanoTime()));
    if (previous != null) {
      previous.model().release();
    }
    if (polling) {
      consumer.wakeup(); // cut run()'s poll short, so that the version is switched to now
    }
  }

  /** Reads the catalog as it is now, then publishes the first snapshot; false if stopped first. */
  public boolean loadInitial(BooleanSupplier keepGoing) {
    startReading();
    while (keepGoing.getAsBoolean() && !caughtUp()) {
      ingest.take(consumer.poll(LOAD_POLL), model.model());
    }
    boolean loaded = keepGoing.getAsBoolean();
    finishLoading(loaded);
    return loaded;
  }

  /**
   * Between two batches, so a batch always finishes on the version it started with: switches to a
   * waiting version, takes in new catalog items without waiting and publishes a snapshot when due.
   */
  public void poll() {
    swapIfOffered();
    takeIn();
    rebuildIfDue();
  }

  /**
   * Takes in new catalog items (embedding them) without publishing a snapshot or switching
   * versions: safe while a batch runs against {@link #current()}.
   */
  public void takeIn() {
    ingest.take(consumer.poll(Duration.ZERO), model.model());
  }

  /** The mirror's own loop, until {@link #stop()}: read, swap when offered, publish when due. */
  @Override
  public void run() {
    threaded = true;
    try (consumer) {
      startReading();
      // Wake up often enough to honour the rebuild interval, without spinning when it is 0.
      Duration poll = min(MAX_POLL, max(MIN_POLL, rebuildInterval));
      polling = true;
      while (running) {
        try {
          // A version waiting (offered between the last swap check and this poll): no wait.
          ingest.take(
              consumer.poll(pendingSwap.get() == null ? poll : Duration.ZERO), model.model());
        } catch (WakeupException e) {
          if (!running) {
            break; // stop()
          }
          // offer() cut the poll short, so that the waiting version is switched to now
        }
        swapIfOffered();
        try {
          loadOrRebuild();
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
        events.failed(e);
      }
    }
  }

  /** Ends {@link #run()}; safe from any thread. */
  public void stop() {
    running = false;
    consumer.wakeup();
  }

  /**
   * Gives back the mirror's references to the served and any waiting version and to the current
   * snapshot (owned versions close with their last user), and closes the consumer unless {@link
   * #run()} did. Call it once its thread is done.
   */
  @Override
  public void close() {
    if (!threaded) {
      consumer.close();
    }
    Swap waiting = pendingSwap.getAndSet(null);
    if (waiting != null) {
      waiting.model().release();
    }
    model.release();
    live.close();
  }

  /**
   * Re-embeds the whole catalog with the waiting version, then publishes the new snapshot
   * atomically (unless the start-up catalog is still being read: its first snapshot is built with
   * the new version anyway); batches already running keep the old snapshot and its model.
   */
  private void swapIfOffered() {
    Swap swap = pendingSwap.getAndSet(null);
    if (swap == null) {
      return;
    }
    long start = System.nanoTime();
    stages.record(Stage.WAIT, start - swap.offeredAtNanos());
    EmbeddingModel next = swap.model().model();
    store.reembed(next::embed, next.spec().imageSize(), clock.millis());
    long embedded = System.nanoTime();
    stages.record(Stage.REEMBED, embedded - start);
    SharedModel previous = model;
    model = swap.model();
    if (startupEnd == null) {
      rebuild();
      stages.record(Stage.INDEX, System.nanoTime() - embedded);
    }
    previous.release();
    events.swapped(swap.update());
  }

  private void startReading() {
    List<TopicPartition> partitions =
        consumer.partitionsFor(topic).stream()
            .map(info -> new TopicPartition(info.topic(), info.partition()))
            .toList();
    consumer.assign(partitions);
    consumer.seekToBeginning(partitions);
    startupEnd = consumer.endOffsets(partitions);
  }

  private void loadOrRebuild() {
    if (startupEnd != null) {
      if (caughtUp()) {
        finishLoading(true); // loading: one snapshot at the end, not one per poll
      }
    } else {
      rebuildIfDue();
    }
  }

  private void finishLoading(boolean complete) {
    startupEnd = null;
    rebuild();
    if (complete) {
      events.loaded(store.size());
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

  private void rebuildIfDue() {
    if (store.rebuildDue(clock.millis(), rebuildItems, rebuildInterval)) {
      rebuild();
    }
  }

  private void rebuild() {
    live.publish(GallerySnapshot.of(store.snapshot(), model, withAttacker));
    events.rebuilt(store.size());
  }

  private static Duration min(Duration a, Duration b) {
    return a.compareTo(b) <= 0 ? a : b;
  }

  private static Duration max(Duration a, Duration b) {
    return a.compareTo(b) >= 0 ? a : b;
  }
}
