package io.advrank.ranker;

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
 * item ids and labels of its rows and the model version that embedded them.
 *
 * <p>Reference counted, because the catalog thread replaces the snapshot while the query thread may
 * still be ranking against it: the holder owns one reference, every user takes one with {@link
 * #tryAcquire()}, and the native index is freed when the last reference is released.
 */
final class GallerySnapshot {
  private final Gallery gallery;
  private final GalleryIndex index; // null when the catalog is empty
  private final String modelVersion;
  private final AtomicInteger references = new AtomicInteger(1);

  private GallerySnapshot(Gallery gallery, GalleryIndex index, String modelVersion) {
    this.gallery = gallery;
    this.index = index;
    this.modelVersion = modelVersion;
  }

  /** Builds the native index of {@code gallery}; the caller holds the first reference. */
  static GallerySnapshot of(Gallery gallery, String modelVersion) {
    GalleryIndex index = gallery.size() == 0 ? null : GalleryIndex.of(gallery.embeddings());
    return new GallerySnapshot(gallery, index, modelVersion);
  }

  int size() {
    return gallery.size();
  }

  String modelVersion() {
    return modelVersion;
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
    if (left == 0 && index != null) {
      index.close();
    } else if (left < 0) {
      throw new IllegalStateException("gallery snapshot released more often than acquired");
    }
  }
}
