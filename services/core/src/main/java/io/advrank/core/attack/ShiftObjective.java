package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;

/**
 * ES, the embedding-shift attack (docs/method.md): maximise d(f(x̃), f(x)) = 1 − ⟨f(x̃), f(x)⟩,
 * i.e. minimise L = −d(f(x̃), f(x)). Untargeted, so it has no rank percentile.
 */
final class ShiftObjective implements Objective {
  private final NDArray clean;

  /**
   * @param clean (B, D) embeddings f(x) of the clean images
   */
  ShiftObjective(NDArray clean) {
    this.clean = clean;
  }

  @Override
  public NDArray loss(NDArray embeddings) {
    return embeddings.mul(clean).sum(new int[] {1}).sub(1f);
  }

  @Override
  public NDArray rankPercent(NDArray embeddings) {
    return embeddings
        .getManager()
        .full(new ai.djl.ndarray.types.Shape(embeddings.getShape().get(0)), Float.NaN);
  }
}
