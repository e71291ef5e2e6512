package io.advrank.ranker;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.GalleryIndex;
import io.advrank.core.ranking.TopK;
import io.advrank.proto.v1.Hit;
import io.advrank.ranker.CatalogStore.Gallery;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * One immutable version of the searchable catalog: a {@link GalleryIndex} (native memory) with the
 * item ids and labels of its rows and the model version that embedded them (queries ranked against
 * it are embedded with the same version, so a hot swap never mixes two embedding spaces).
 *
 * <p>Reference counted, because the catalog thread replaces the snapshot while the query thread may
 * still be ranking against it: the holder owns one reference, every user takes one with {@link
 * #tryAcquire()}, and the native index is freed when the last reference is released.
 */
final class GallerySnapshot {
  private final Gallery gallery;
  private final GalleryIndex index; // null when the catalog is empty
  private final SharedModel model;
  private final AtomicInteger references = new AtomicInteger(1);

  private GallerySnapshot(Gallery gallery, GalleryIndex index, SharedModel model) {
    this.gallery = gallery;
    this.index = index;
    this.model = model;
  }

  /**
   * Builds the native index of {@code gallery}, embedded with {@code model}, which it retains until
   * freed; the caller holds the first reference.
   */
  static GallerySnapshot of(Gallery gallery, SharedModel model) {
    GalleryIndex index = gallery.size() == 0 ? null : GalleryIndex.of(gallery.embeddings());
    return new GallerySnapshot(gallery, index, model.retain());
  }

  /** The model that embedded this catalog: queries ranked against it must be embedded with it. */
  EmbeddingModel model() {
    return model.model();
  }

  int size() {
    return gallery.size();
  }

  String modelVersion() {
    return model.version();
  }

  /**
   * The hits of every query, best first; at most {@code k} each, fewer when the catalog is smaller,
   * none when it is empty.
   */
  List<List<Hit>> rank(Embeddings queries, int k) {
    List<List<Hit>> out = new ArrayList<>(queries.count());
    if (index == null) {
      for (int q = 0; q < queries.count(); q++) {
        out.add(List.of());
      }
      return out;
    }
    TopK top = index.topK(queries, Math.min(k, size()), null);
    for (int q = 0; q < queries.count(); q++) {
      int[] ids = top.idsOf(q);
      float[] distances = top.distancesOf(q);
      List<Hit> hits = new ArrayList<>(ids.length);
      for (int j = 0; j < ids.length; j++) {
        Hit.Builder hit = Hit.newBuilder().setItemId(gallery.ids()[ids[j]]);
        hit.setDistance(distances[j]);
        if (gallery.labels()[ids[j]] >= 0) {
          hit.setLabel(gallery.labels()[ids[j]]);
        }
        hits.add(hit.build());
      }
      out.add(hits);
    }
    return out;
  }

  /** Takes a reference; false if the snapshot was already freed (take the newer one instead). */
  boolean tryAcquire() {
    while (true) {
      int n = references.get();
      if (n == 0) {
        return false;
      }
      if (references.compareAndSet(n, n + 1)) {
        return true;
      }
    }
  }

  /** Gives a reference back; the last one frees the native index. */
  void release() {
    int left = references.decrementAndGet();
    if (left == 0) {
      if (index != null) {
        index.close();
      }
      model.release();
    } else if (left < 0) {
      throw new IllegalStateException("gallery snapshot released more often than acquired");
    }
  }
}
