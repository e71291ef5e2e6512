package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;

/**
 * QA± and SP-QA± (docs/method.md): query q is perturbed against its candidate set C (|C| = m).
 *
 * <ul>
 *   <li>QA+: L = (1/(m|X|)) Σ_{c∈C} Σ_{x∈X} [d(q̃, c) − d(q̃, x)]+
 *   <li>QA-: L = (1/(m|X|)) Σ_{c∈C} Σ_{x∈X} [d(q̃, x) − d(q̃, c)]+
 *   <li>SP-QA±: L = L_QA± + ξ·L_QA+(q̃, C_SP), C_SP = q's original top-5 non-targets; ξ = 1 for
 *       SP-QA+, 100 for SP-QA-
 * </ul>
 *
 * Candidates are gallery items, so d(q̃, c) is read from the row d(q̃, X) computed each step.
 */
final class QueryObjective implements Objective {
  private final NDArray galleryT;
  private final NDArray targets;
  private final NDArray preserve;
  private final boolean raise;
  private final float xi;

  /**
   * @param galleryT (D, N) transposed gallery embeddings
   * @param targets (B, m) int64 gallery indices of C
   * @param preserve (B, k) int64 gallery indices of C_SP, or null without the SP term
   */
  QueryObjective(NDArray galleryT, NDArray targets, NDArray preserve, boolean raise, float xi) {
    this.galleryT = galleryT;
    this.targets = targets;
    this.preserve = preserve;
    this.raise = raise;
    this.xi = xi;
  }

  @Override
  public NDArray loss(NDArray embeddings) {
    NDArray dqx = embeddings.matMul(galleryT).neg().add(1f); // (B, N)
    NDArray loss = hinge(dqx, targets, raise);
    if (preserve != null) {
      loss = loss.add(hinge(dqx, preserve, true).mul(xi));
    }
    return loss;
  }

  @Override
  public NDArray rankPercent(NDArray embeddings) {
    NDArray dqx = embeddings.matMul(galleryT).neg().add(1f);
    NDArray dqc = dqx.gather(targets, 1).expandDims(2); // (B, m, 1)
    NDArray ahead = dqx.expandDims(1).lt(dqc).toType(DataType.FLOAT32, false).sum(new int[] {2});
    return ahead.mean(new int[] {1}).mul(100f / dqx.getShape().get(1));
  }

  /** Per item: mean over c, x of [d(q̃, c) − d(q̃, x)]+ (raise) or [d(q̃, x) − d(q̃, c)]+. */
  private static NDArray hinge(NDArray dqx, NDArray indices, boolean raise) {
    NDArray dqc = dqx.gather(indices, 1).expandDims(2); // (B, m, 1)
    NDArray all = dqx.expandDims(1); // (B, 1, N)
    return CandidateObjective.perItemMean(Activation.relu(raise ? dqc.sub(all) : all.sub(dqc)));
  }
}
