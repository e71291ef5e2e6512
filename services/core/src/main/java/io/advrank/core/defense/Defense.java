package io.advrank.core.defense;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletTrainer;

/** An adversarial-training defense: a trainer that hardens a model, and how to name it. */
public sealed interface Defense permits EstDefense, ActDefense {
  /**
   * A trainer taking this defense's steps on {@code model}, for a run that has already taken {@code
   * stepsDone} steps (a defense with a warm-up goes on from there).
   */
  TripletTrainer trainer(EmbeddingModel model, TrainSettings settings, long stepsDone);

  /** For manifests and logs, e.g. {@code est eps=0.3 alpha=0.01 iterations=30}. */
  String describe();
}
