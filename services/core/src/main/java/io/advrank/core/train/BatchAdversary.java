package io.advrank.core.train;

import ai.djl.ndarray.NDArray;
import io.advrank.core.model.EmbeddingModel;

/**
 * Replaces a training batch by adversarial versions of it before the triplet step; this is how
 * adversarial training (EST, {@code core.defense}) plugs into {@link TripletTrainer}.
 */
public interface BatchAdversary {
  /**
   * Returns perturbed images of the same shape, created in {@code images}' manager. Runs its own
   * gradient collection, which must be closed before returning.
   */
  NDArray perturb(EmbeddingModel model, NDArray images);

  /** A short description for manifests and logs, e.g. {@code est eps=0.3}. */
  String describe();
}
