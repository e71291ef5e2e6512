package io.advrank.ranker;

import io.advrank.core.model.Embeddings;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.BiFunction;

/**
 * The catalog as the ranker last saw it: one image, embedding and label per item id, a re-upload
 * replacing the item's previous photo, a tombstone removing it. It also tracks the changes not yet
 * in the search index, to decide when rebuilding is worth it. Confined to the catalog thread.
 */
final class CatalogStore {
  private record Entry(float[] pixels, float[] embedding, int label) {}

  /** What a search index is built from: row i of {@code embeddings} is item {@code ids[i]}. */
  record Gallery(String[] ids, int[] labels, Embeddings embeddings) {
    static Gallery empty(int dim) {
      return new Gallery(new String[0], new int[0], new Embeddings(new float[0], 0, dim));
    }

    int size() {
      return ids.length;
    }
  }

  private final int dim;
  // Insertion order keeps snapshots (and so tie-breaking among equal distances) reproducible.
  private final Map<String, Entry> items = new LinkedHashMap<>();
  private int pendingChanges;
  private long firstPendingMillis;

  CatalogStore(int dim) {
    this.dim = dim;
  }

  /** Adds or replaces an item: its pixels (kept to re-embed it under a new model) and embedding. */
  void put(String itemId, float[] pixels, float[] embedding, int label, long nowMillis) {
    if (embedding.length != dim) {
      throw new IllegalArgumentException(
          "embedding of " + itemId + " has " + embedding.length + " values, not " + dim);
    }
    items.put(itemId, new Entry(pixels, embedding, label));
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
      e.setValue(new Entry(old.pixels(), fresh.row(i++), old.label()));
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
  Gallery snapshot() {
    int n = items.size();
    String[] ids = new String[n];
    int[] labels = new int[n];
    float[] values = new float[n * dim];
    int i = 0;
    for (Map.Entry<String, Entry> e : items.entrySet()) {
      ids[i] = e.getKey();
      labels[i] = e.getValue().label();
      System.arraycopy(e.getValue().embedding(), 0, values, i * dim, dim);
      i++;
    }
    pendingChanges = 0;
    return new Gallery(ids, labels, new Embeddings(values, n, dim));
  }

  private void changed(long nowMillis) {
    if (pendingChanges++ == 0) {
      firstPendingMillis = nowMillis;
    }
  }
}
