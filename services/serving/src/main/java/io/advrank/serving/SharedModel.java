package io.advrank.serving;

import io.advrank.core.model.EmbeddingModel;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model version shared by the gallery snapshots embedded with it and the mirror that serves it.
 * Reference counted: a batch that started on a snapshot keeps that snapshot, and so its model,
 * alive after a hot swap; the model is closed when the last reference goes (unless the caller owns
 * it).
 */
final class SharedModel {
  private final EmbeddingModel model;
  private final boolean owned;
  private final AtomicInteger references = new AtomicInteger(1);

  /** The caller holds the first reference; {@code owned} models are closed with the last one. */
  SharedModel(EmbeddingModel model, boolean owned) {
    this.model = model;
    this.owned = owned;
  }

  EmbeddingModel model() {
    return model;
  }

  String version() {
    return model.version();
  }

  SharedModel retain() {
    if (references.getAndIncrement() <= 0) {
      throw new IllegalStateException("model " + version() + " retained after it was closed");
    }
    return this;
  }

  void release() {
    int left = references.decrementAndGet();
    if (left == 0 && owned) {
      model.close();
    } else if (left < 0) {
      throw new IllegalStateException("model " + version() + " released more often than retained");
    }
  }
}
