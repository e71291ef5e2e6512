package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * CA± (BRIEF §2): candidate c is perturbed against its query set Q (|Q| = w).
 *
 * <ul>
 *   <li>CA+: L = (1/(w|X|)) Σ_{q∈Q} Σ_{x∈X} [d(q, c̃) − d(q, x)]+
 *   <li>CA-: L = (1/(w|X|)) Σ_{q∈Q} Σ_{x∈X} [d(q, x) − d(q, c̃)]+
 * </ul>
 *
 * d(q, x) does not depend on c̃, so it is computed once per batch, not per step.
 */
final class CandidateObjective implements Objective {
  private final NDArray queries;
  private final NDArray dqx;
  private final boolean raise;
  private final int gallerySize;

  /**
   * @param queries (B, w, D) query embeddings f(q)
   * @param galleryT (D, N) transposed gallery embeddings
   */
  CandidateObjective(NDArray queries, NDArray galleryT, boolean raise) {
    this.queries = queries;
    this.dqx = queries.matMul(galleryT).neg().add(1f); // (B, w, N)
    this.raise = raise;
    this.gallerySize = (int) galleryT.getShape().get(1);
  }

  @Override
  public NDArray loss(NDArray embeddings) {
    NDArray dqc = queryDistances(embeddings).expandDims(2); // (B, w, 1)
    NDArray hinge = raise ? dqc.sub(dqx) : dqx.sub(dqc);
    return perItemMean(Activation.relu(hinge));
  }

  @Override
  public NDArray rankPercent(NDArray embeddings) {
    NDArray dqc = queryDistances(embeddings).expandDims(2);
    NDArray ahead = dqx.lt(dqc).toType(DataType.FLOAT32, false).sum(new int[] {2}); // (B, w)
    return ahead.mean(new int[] {1}).mul(100f / gallerySize);
  }

  /**
   * For candidates in the gallery, d(q, c) is read from the precomputed row d(q, X) itself, so the
   * candidate's own copy is never strictly ahead of it (a fresh d(q, c) may differ in the last
   * bit).
   */
  @Override
  public NDArray cleanRankPercent(NDArray clean, long[] self) {
    NDArray fresh = rankPercent(clean);
    long b = self.length;
    long w = dqx.getShape().get(1);
    float[] known = new float[self.length];
    long[] idx = new long[self.length];
    for (int i = 0; i < self.length; i++) {
      known[i] = self[i] >= 0 ? 1f : 0f;
      idx[i] = Math.max(0, self[i]);
    }
    NDManager m = clean.getManager();
    NDArray selfIdx = m.create(idx, new Shape(b, 1, 1)).broadcast(new Shape(b, w, 1));
    NDArray dqc = dqx.gather(selfIdx, 2); // (B, w, 1)
    NDArray ahead = dqx.lt(dqc).toType(DataType.FLOAT32, false).sum(new int[] {2});
    NDArray exact = ahead.mean(new int[] {1}).mul(100f / gallerySize);
    NDArray mask = m.create(known);
    return exact.mul(mask).add(fresh.mul(mask.neg().add(1f)));
  }

  /** d(q, c̃) for each item's queries: (B, w). */
  private NDArray queryDistances(NDArray embeddings) {
    return queries.mul(embeddings.expandDims(1)).sum(new int[] {2}).neg().add(1f);
  }

  /** Mean over all but the first axis (PyTorch's DJL binding reduces one axis at a time). */
  static NDArray perItemMean(NDArray a) {
    return a.reshape(a.getShape().get(0), -1).mean(new int[] {1});
  }
}
