package io.advrank.serving;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.runtime.model.SwapStages;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import org.apache.kafka.clients.consumer.Consumer;

/** Builds a {@link CatalogMirror}; {@code set*} are required, {@code opt*} optional. */
public final class CatalogMirrorBuilder {
  Consumer<byte[], byte[]> consumer;
  String topic;
  EmbeddingModel model;
  boolean ownsModel;
  CatalogMirror.Decoder decoder;
  SwapStages stages;
  Clock clock;
  int rebuildItems;
  Duration rebuildInterval;
  MirrorEvents events = new MirrorEvents() {};
  boolean attacker;
  boolean reuploadsLast;

  CatalogMirrorBuilder() {}

  /**
   * The consumer the catalog is read with (no group: the mirror assigns itself every partition of
   * {@code topic}); the mirror takes it over and closes it.
   */
  public CatalogMirrorBuilder setCatalog(Consumer<byte[], byte[]> consumer, String topic) {
    this.consumer = consumer;
    this.topic = topic;
    return this;
  }

  /**
   * The version served at start; {@code owned}: the mirror closes it once no snapshot uses it (else
   * the caller keeps it open until after {@link CatalogMirror#close()}).
   */
  public CatalogMirrorBuilder setModel(EmbeddingModel model, boolean owned) {
    this.model = model;
    this.ownsModel = owned;
    return this;
  }

  public CatalogMirrorBuilder setDecoder(CatalogMirror.Decoder decoder) {
    this.decoder = decoder;
    return this;
  }

  /** Where the {@code wait}, {@code reembed} and {@code index} stages of a swap are timed. */
  public CatalogMirrorBuilder setSwapStages(SwapStages stages) {
    this.stages = stages;
    return this;
  }

  public CatalogMirrorBuilder setClock(Clock clock) {
    this.clock = clock;
    return this;
  }

  /** A new snapshot after {@code items} changes, or once the oldest change is this old. */
  public CatalogMirrorBuilder setRebuild(int items, Duration interval) {
    if (items < 1) {
      throw new IllegalArgumentException("rebuild items: must be >= 1, was " + items);
    }
    this.rebuildItems = items;
    this.rebuildInterval = interval;
    return this;
  }

  public CatalogMirrorBuilder optEvents(MirrorEvents events) {
    this.events = Objects.requireNonNull(events, "events");
    return this;
  }

  /**
   * Every snapshot also carries a {@link io.advrank.core.attack.RankingAttacker} over its rows, and
   * its index lives on the model's device (where attacks run); default: a search index on the CPU
   * only.
   */
  public CatalogMirrorBuilder optAttacker(boolean attacker) {
    this.attacker = attacker;
    return this;
  }

  /** A re-upload moves its item to the last row (default: it keeps its row). */
  public CatalogMirrorBuilder optReuploadsLast(boolean last) {
    this.reuploadsLast = last;
    return this;
  }

  public CatalogMirror build() {
    return new CatalogMirror(this);
  }
}
