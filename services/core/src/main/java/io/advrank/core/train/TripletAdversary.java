package io.advrank.core.train;

import ai.djl.ndarray.NDArray;
import io.advrank.core.model.EmbeddingModel;

/**
 * Replaces a training batch and its triplets by adversarial ones before the triplet step, when the
 * perturbation depends on the triplets (ACT moves each triplet's positive and negative towards each
 * other, {@code core.defense.ActDefense}); {@link BatchAdversary} perturbs images one by one.
 */
public interface TripletAdversary {
  /** Images and the triplets over them, as row indices. */
  record Batch(NDArray images, Triplets triplets) {}

  /**
   * Returns the batch to train on, created in {@code images}' manager. Runs its own gradient
   * collection, which must be closed before returning.
   */
  Batch perturb(EmbeddingModel model, NDArray images, Triplets triplets);

  /** A short description for manifests and logs, e.g. {@code act eps=0.3}. */
  String describe();
}
