package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * LTM, robrank's "learning-to-misrank" attack on a query: L = [max_{n: y_n ≠ y_q} d(q̃, n) −
 * min_{p: y_p = y_q} d(q̃, p)]+ over the gallery X. Descending it drags the farthest other-label
 * item closer than the nearest same-label one, so every same-label item falls behind every other.
 *
 * <p>As robrank computes it, the query's own clean copy counts among the same-label items (its mask
 * update is not in place), so at the start the nearest "positive" is the query itself and the loss
 * first pushes q̃ away from f(q).
 */
final class MisrankObjective implements Objective {
  /** Larger than any cosine distance (≤ 2): adding it removes an item from a max or min. */
  private static final float OUT = 10f;

  private final NDArray galleryT;
  private final NDArray sameLabel;

  /**
   * @param galleryT (D, N) transposed gallery embeddings
   * @param sameLabel (B, N) 1 where the gallery item has the query's label, else 0
   */
  MisrankObjective(NDArray galleryT, NDArray sameLabel) {
    this.galleryT = galleryT;
    this.sameLabel = sameLabel;
  }

  @Override
  public NDArray loss(NDArray embeddings) {
    NDArray dqx = embeddings.matMul(galleryT).neg().add(1f); // (B, N)
    NDArray farthestOther = dqx.sub(sameLabel.mul(OUT)).max(new int[] {1});
    NDArray nearestSame = dqx.add(sameLabel.neg().add(1f).mul(OUT)).min(new int[] {1});
    return Activation.relu(farthestOther.sub(nearestSame));
  }

  @Override
  public NDArray rankPercent(NDArray embeddings) {
    return embeddings.getManager().full(new Shape(embeddings.getShape().get(0)), Float.NaN);
  }
}
