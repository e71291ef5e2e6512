package io.advrank.core.ranking;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import io.advrank.core.model.Embeddings;

/**
 * Leave-one-out retrieval quality over a labelled set: every item queries all the others.
 *
 * <ul>
 *   <li>R@1: the fraction of queries whose nearest other item has the query's label.
 *   <li>mAP: the mean over queries of AP = (1/|R|) Σ_{k : item k relevant} precision@k, with R the
 *       other items of the query's label.
 * </ul>
 */
public final class RetrievalMetrics {
  private RetrievalMetrics() {}

  /** R@1 and mAP, computed on native blocks of queries. */
  public static Result leaveOneOut(Embeddings embeddings, int[] labels) {
    if (labels.length != embeddings.count()) {
      throw new IllegalArgumentException(
          "labels: " + labels.length + " labels for " + embeddings.count() + " embeddings");
    }
    int n = embeddings.count();
    double hits = 0;
    double apSum = 0;
    try (GalleryIndex index = GalleryIndex.of(embeddings);
        NDManager manager = NDManager.newBaseManager()) {
      float[] labelF = new float[n];
      for (int i = 0; i < n; i++) {
        labelF[i] = labels[i];
      }
      NDArray allLabels = manager.create(labelF);
      for (int start = 0; start < n; start += GalleryIndex.QUERY_BLOCK) {
        int b = Math.min(GalleryIndex.QUERY_BLOCK, n - start);
        try (NDManager step = manager.newSubManager()) {
          float[] block = new float[b * n];
          int[] rows = new int[b];
          for (int q = 0; q < b; q++) {
            rows[q] = start + q;
          }
          System.arraycopy(index.distances(embeddings.rows(rows)), 0, block, 0, block.length);
          double[] r = blockScores(step, block, b, n, start, allLabels, labelF);
          hits += r[0];
          apSum += r[1];
        }
      }
    }
    return new Result(hits / n, apSum / n, n);
  }

  /** Sum of R@1 hits and of AP over one block of queries [start, start+b). */
  private static double[] blockScores(
      NDManager step, float[] dist, int b, int n, int start, NDArray allLabels, float[] labelF) {
    // Put each query's own item last so "leave one out" is a matter of ignoring the last column.
    for (int q = 0; q < b; q++) {
      dist[q * n + start + q] = Float.POSITIVE_INFINITY;
    }
    NDArray d = step.create(dist, new Shape(b, n));
    NDArray order = d.argSort(1, true).get(":, :" + (n - 1));
    float[] own = new float[b];
    System.arraycopy(labelF, start, own, 0, b);
    NDArray rel =
        allLabels.get(order).eq(step.create(own, new Shape(b, 1))).toType(DataType.FLOAT32, false);
    NDArray positions = step.arange(1f, (float) n).reshape(1, n - 1);
    NDArray precision = rel.cumSum(1).div(positions);
    NDArray relevant = rel.sum(new int[] {1});
    NDArray ap = precision.mul(rel).sum(new int[] {1}).div(relevant.maximum(1f));
    double hits = rel.get(":, 0").sum().getFloat();
    return new double[] {hits, ap.sum().getFloat()};
  }

  /**
   * @param recallAt1 R@1 in [0,1]
   * @param meanAveragePrecision mAP in [0,1]
   * @param count number of queries
   */
  public record Result(double recallAt1, double meanAveragePrecision, int count) {}
}
