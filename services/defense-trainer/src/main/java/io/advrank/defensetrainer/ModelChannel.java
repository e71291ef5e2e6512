package io.advrank.defensetrainer;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelSpec;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelFeed;
import io.advrank.runtime.model.ModelUpdate;

/**
 * The trainer's side of {@code advrank.models}: the version it starts from, the versions consumers
 * switch to while it runs, and where its own versions go. {@link KafkaModelChannel} in the service;
 * plain values in tests of {@link TrainerLoop}.
 */
interface ModelChannel {
  /** The version consumers serve now, else the configured model directory. */
  AssembledModel startingVersion() throws ModelException;

  /**
   * Starts handing every version consumers switch to, loaded for {@code spec}, to {@code listener},
   * which owns the model from then on; {@code parent} is the version served now.
   */
  Following follow(
      ModelSpec spec, AssembledModel parent, ModelFeed.Listener<EmbeddingModel> listener);

  /** Publishes {@code version} for consumers (and back to {@link #follow}'s listener). */
  void publish(AssembledModel version);

  /** A running {@link #follow}. */
  interface Following extends AutoCloseable {
    /** The trainer took {@code update} (rebased on it, or found it was its parent already). */
    void served(ModelUpdate update);

    @Override
    void close();
  }
}
