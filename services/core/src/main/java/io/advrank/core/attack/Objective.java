package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;

/**
 * A batched attack objective. Each item's loss depends only on that item, so the sign of its input
 * gradient — all PGD uses — is the same whether it is attacked alone or in a batch.
 */
interface Objective {
  /** Per-item loss to minimise, shape (B), from the perturbed items' embeddings (B, D). */
  NDArray loss(NDArray embeddings);

  /** Per-item rank percentile in %, shape (B), of the targets when the item embeds as given. */
  NDArray rankPercent(NDArray embeddings);

  /**
   * The clean rank percentile, shape (B). {@code clean} holds f(x), replaced by the gallery row
   * where the item's gallery index {@code self[i]} is known (≥ 0), so that the item's own clean
   * copy ties exactly and is not counted as ahead of it.
   */
  default NDArray cleanRankPercent(NDArray clean, long[] self) {
    return rankPercent(clean);
  }
}
