package io.advrank.serving;

import io.advrank.core.model.Embeddings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The catalog as the mirror last saw it: one image, embedding, label and event id per item id, a
 * re-upload replacing the item's previous photo, a tombstone removing it. It also tracks the
 * changes not yet in a gallery snapshot, to decide when rebuilding is worth it. Confined to the
 * mirror's thread.
 */
final class CatalogStore {
  private record Entry(String eventId, int label, float[] pixels, float[] embedding) {}

  /** What a gallery snapshot is built from: row i of {@code embeddings} is item {@code ids[i]}. */
  record Rows(String[] ids, String[] eventIds, int[] labels, Embeddings embeddings) {
    static Rows empty(int dim) {
      return new Rows(
          new String[0], new String[0], new int[0], new Embeddings(new float[0], 0, dim));
    }

    int size() {
      return ids.length;
    }
  }

  private final int dim;
  private final boolean reuploadLast;
  // Insertion order keeps snapshots (and so tie-breaking among equal distances and the targets
  // sampled from rows) reproducible.
  private final Map<String, Entry> items = new LinkedHashMap<>();
  private int pendingChanges;
  private long firstPendingMillis;

  /**
   * @param reuploadLast whether a re-upload moves its item to the last row (else it keeps its row)
   */
  CatalogStore(int dim, boolean reuploadLast) {
    this.dim = dim;
    this.reuploadLast = reuploadLast;
  }

  /** Adds or replaces an item: its pixels (kept to re-embed it under a new model) and embedding. */
  void put(CatalogItem item, float[] embedding, long nowMillis) {
    if (embedding.length != dim) {
      throw new IllegalArgumentException(
          "embedding of " + item.itemId() + " has " + embedding.length + " values, not " + dim);
    }
    if (reuploadLast) {
      items.remove(item.itemId());
    }
    items.put(item.itemId(), new Entry(item.eventId(), item.label(), item.pixels(), embedding));
    changed(nowMillis);
  }

  /**
   * Replaces every item's embedding by {@code embed} of its stored pixels (a new model version):
   * one call over the whole catalog, {@code imageSize} values per item.
   */
  void reembed(BiFunction<float[], Integer, Embeddings> embed, int imageSize, long nowMillis) {
    int n = items.size();
    if (n == 0) {
      return;
    }
    float[] pixels = new float[n * imageSize];
    int i = 0;
    for (Entry e : items.values()) {
      System.arraycopy(e.pixels(), 0, pixels, i++ * imageSize, imageSize);
    }
    Embeddings fresh = embed.apply(pixels, n);
    i = 0;
    for (Map.Entry<String, Entry> e : items.entrySet()) {
      Entry old = e.getValue();
      e.setValue(new Entry(old.eventId(), old.label(), old.pixels(), fresh.row(i++)));
    }
    changed(nowMillis);
  }

  /** Removes an item (a tombstone on the catalog topic); unknown ids are ignored. */
  void remove(String itemId, long nowMillis) {
    if (items.remove(itemId) != null) {
      changed(nowMillis);
    }
  }

  int size() {
    return items.size();
  }

  /** The item's current embedding, or null when it is not in the catalog. */
  float[] embedding(String itemId) {
    Entry e = items.get(itemId);
    return e == null ? null : e.embedding();
  }

  /** Changes since the last {@link #snapshot()}. */
  int pendingChanges() {
    return pendingChanges;
  }

  /**
   * Whether {@code maxChanges} changes are pending, or the oldest pending one is {@code age} old.
   */
  boolean rebuildDue(long nowMillis, int maxChanges, Duration age) {
    return pendingChanges >= maxChanges
        || (pendingChanges > 0 && nowMillis - firstPendingMillis >= age.toMillis());
  }

  /** The current catalog as arrays, and no changes pending any more. */
  Rows snapshot() {
    int n = items.size();
    String[] ids = new String[n];
    String[] eventIds = new String[n];
    int[] labels = new int[n];
    float[] values = new float[n * dim];
    int i = 0;
    for (Map.Entry<String, Entry> e : items.entrySet()) {
      ids[i] = e.getKey();
      eventIds[i] = e.getValue().eventId();
      labels[i] = e.getValue().label();
      System.arraycopy(e.getValue().embedding(), 0, values, i * dim, dim);
      i++;
    }
    pendingChanges = 0;
    return new Rows(ids, eventIds, labels, new Embeddings(values, n, dim));
  }

  private void changed(long nowMillis) {
    if (pendingChanges++ == 0) {
      firstPendingMillis = nowMillis;
    }
  }
}
