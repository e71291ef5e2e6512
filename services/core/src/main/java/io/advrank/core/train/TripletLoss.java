package io.advrank.core.train;

import ai.djl.ndarray.NDArray;

/**
 * The cosine triplet loss (docs/method.md, "CT"): L = mean_i [β + d(a_i, p_i) − d(a_i, n_i)]+ with
 * d(a, b) = 1 − ⟨f(a), f(b)⟩ on L2-normalised embeddings.
 */
final class TripletLoss {
  private TripletLoss() {}

  /**
   * @param embeddings (n, D) unit rows
   * @param anchors (k) int64 row index of each triplet's anchor
   * @param positives (k) int64 row index of each triplet's positive
   * @param negatives (k) int64 row index of each triplet's negative
   * @param margin β
   * @return a scalar, the mean over the k triplets
   */
  public static NDArray compute(
      NDArray embeddings, NDArray anchors, NDArray positives, NDArray negatives, float margin) {
    NDArray a = embeddings.get(anchors);
    NDArray p = embeddings.get(positives);
    NDArray n = embeddings.get(negatives);
    NDArray dap = a.mul(p).sum(new int[] {1}).neg().add(1f);
    NDArray dan = a.mul(n).sum(new int[] {1}).neg().add(1f);
    return dap.sub(dan).add(margin).clip(0f, Float.MAX_VALUE).mean();
  }
}
