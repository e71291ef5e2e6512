package io.advrank.core.train;

import ai.djl.ndarray.NDArray;

/**
 * The cosine triplet loss (BRIEF §2, "CT"): L = mean_i [β + d(a_i, p_i) − d(a_i, n_i)]+ with d(a,
 * b) = 1 − ⟨f(a), f(b)⟩ on L2-normalised embeddings.
 */
public final class TripletLoss {
  private TripletLoss() {}

  /**
   * @param embeddings (n, D) unit rows, anchors in row order
   * @param positives (n) int64 row index of each anchor's positive
   * @param negatives (n) int64 row index of each anchor's negative
   * @param margin β
   * @return a scalar
   */
  public static NDArray compute(
      NDArray embeddings, NDArray positives, NDArray negatives, float margin) {
    NDArray p = embeddings.get(positives);
    NDArray n = embeddings.get(negatives);
    // d(a,p) − d(a,n) = ⟨a,n⟩ − ⟨a,p⟩
    NDArray dap = embeddings.mul(p).sum(new int[] {1}).neg().add(1f);
    NDArray dan = embeddings.mul(n).sum(new int[] {1}).neg().add(1f);
    return dap.sub(dan).add(margin).clip(0f, Float.MAX_VALUE).mean();
  }
}
