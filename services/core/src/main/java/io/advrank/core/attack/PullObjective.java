package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;

/**
 * Pulls each perturbed embedding towards its own target embedding t: L = d(f(x̃), t) = 1 − ⟨f(x̃),
 * t⟩. Two of robrank's attacks are this objective with different targets: TMA (targeted mismatch, t
 * = a uniformly drawn gallery item) and GTM (greedy top-1 misranking, t = the nearest gallery item
 * whose label differs from that of the query's top-1). Targeted, but not at a rank: it has no rank
 * percentile.
 */
final class PullObjective implements Objective {
  private final NDArray targets;

  /**
   * @param targets (B, D) target embeddings, L2-normalised
   */
  PullObjective(NDArray targets) {
    this.targets = targets;
  }

  @Override
  public NDArray loss(NDArray embeddings) {
    return embeddings.mul(targets).sum(new int[] {1}).neg().add(1f);
  }

  @Override
  public NDArray rankPercent(NDArray embeddings) {
    return embeddings.getManager().full(new Shape(embeddings.getShape().get(0)), Float.NaN);
  }
}
