package io.advrank.core.ranking;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.advrank.core.model.Embeddings;

/**
 * The searchable catalog X: the clean embeddings of every gallery item, kept in native memory so
 * that one query-batch × gallery product gives all cosine distances d(q, x) = 1 − ⟨f(q), f(x)⟩.
 * Thread-safe for queries; close it to free the native copy.
 */
public final class GalleryIndex implements AutoCloseable {
  /** Queries per native distance block; bounds temporary memory to ~40 MB for a 10k gallery. */
  static final int QUERY_BLOCK = 1024;

  private final Embeddings gallery;
  private final NDManager manager;
  private final NDArray galleryT;

  private GalleryIndex(Embeddings gallery, Device device) {
    this.gallery = gallery;
    this.manager = NDManager.newBaseManager(device);
    this.galleryT =
        manager.create(gallery.values(), new Shape(gallery.count(), gallery.dim())).transpose();
  }

  /** Indexes the given embeddings; row i is gallery item i. */
  public static GalleryIndex of(Embeddings gallery) {
    return new GalleryIndex(gallery, Device.cpu());
  }

  /** Indexes on a chosen device. */
  public static GalleryIndex of(Embeddings gallery, Device device) {
    return new GalleryIndex(gallery, device);
  }

  public int size() {
    return gallery.count();
  }

  public Embeddings embeddings() {
    return gallery;
  }

  /** d(q, x) for every query row and gallery item: {@code queries.count() × size()} floats. */
  public float[] distances(Embeddings queries) {
    checkDim(queries);
    float[] out = new float[queries.count() * size()];
    for (int start = 0; start < queries.count(); start += QUERY_BLOCK) {
      int n = Math.min(QUERY_BLOCK, queries.count() - start);
      try (NDManager step = manager.newSubManager()) {
        float[] d = distanceBlock(step, queries, start, n).toFloatArray();
        System.arraycopy(d, 0, out, start * size(), d.length);
      }
    }
    return out;
  }

  /**
   * The {@code k} nearest gallery items of each query (ascending distance, ties by index), skipping
   * {@code exclude[i]} for query i when it is ≥ 0 (leave-one-out search).
   */
  public TopK topK(Embeddings queries, int k, int[] exclude) {
    checkDim(queries);
    if (k < 1 || k > size()) {
      throw new IllegalArgumentException("k: must be in 1.." + size() + ", was " + k);
    }
    int kk = Math.min(size(), k + 1);
    int[] ids = new int[queries.count() * k];
    float[] dist = new float[queries.count() * k];
    for (int start = 0; start < queries.count(); start += QUERY_BLOCK) {
      int n = Math.min(QUERY_BLOCK, queries.count() - start);
      try (NDManager step = manager.newSubManager()) {
        NDList top = distanceBlock(step, queries, start, n).topK(kk, 1, false, true);
        float[] d = top.get(0).toFloatArray();
        long[] idx = top.get(1).toLongArray();
        for (int q = 0; q < n; q++) {
          int skip = exclude == null ? -1 : exclude[start + q];
          int w = 0;
          for (int j = 0; j < kk && w < k; j++) {
            if (idx[q * kk + j] != skip) {
              ids[(start + q) * k + w] = (int) idx[q * kk + j];
              dist[(start + q) * k + w] = d[q * kk + j];
              w++;
            }
          }
        }
      }
    }
    return new TopK(ids, dist, queries.count(), k);
  }

  /**
   * The rank of an item for a query: |{x ∈ X : d(q, x) < d(q, c)}|, where d(q, c) is given (e.g.
   * the distance to a perturbed candidate c̃, which is not itself in X).
   */
  public static int rankOf(float[] distancesToGallery, int offset, int size, float dqc) {
    int rank = 0;
    for (int i = offset; i < offset + size; i++) {
      if (distancesToGallery[i] < dqc) {
        rank++;
      }
    }
    return rank;
  }

  private NDArray distanceBlock(NDManager step, Embeddings queries, int start, int n) {
    float[] q = new float[n * queries.dim()];
    System.arraycopy(queries.values(), start * queries.dim(), q, 0, q.length);
    NDArray qa = step.create(q, new Shape(n, queries.dim()));
    return qa.matMul(galleryT).neg().add(1f);
  }

  private void checkDim(Embeddings queries) {
    if (queries.dim() != gallery.dim()) {
      throw new IllegalArgumentException(
          "queries: embedding size "
              + queries.dim()
              + " differs from the gallery's "
              + gallery.dim());
    }
  }

  @Override
  public void close() {
    manager.close();
  }
}
