package io.advrank.defensetrainer;

import io.advrank.runtime.model.ModelUpdate;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * Which served version the trainer hardens. The model feed (its own thread) offers every version
 * consumers switch to, loaded; between two steps the trainer takes the newest offer and rebases on
 * it ({@link #rebases}) unless it is the parent already, as the trainer's own publications are when
 * they come back. Only the newest offer is kept: one it replaces, or one left at the end, is closed
 * unused. So a rollback ({@code advrank models rollback}) or a version published by someone else
 * becomes the model the trainer hardens, instead of the trainer going on with a lineage nobody
 * serves.
 *
 * @param <M> the loaded model type
 */
final class VersionFollower<M> implements AutoCloseable {
  /** A version consumers switched to, loaded for the trainer. */
  record Offer<M>(M model, ModelUpdate update) {}

  private final AtomicReference<Offer<M>> offered = new AtomicReference<>();
  private final Consumer<M> close;

  /** {@code close} releases a model that is never used. */
  VersionFollower(Consumer<M> close) {
    this.close = close;
  }

  /** Whether the trainer, whose parent is {@code parentVersion}, rebases on {@code update}. */
  static boolean rebases(String parentVersion, ModelUpdate update) {
    return !update.version().equals(parentVersion);
  }

  /** From the feed's thread: a version consumers switched to; the follower owns the model now. */
  void offer(M model, ModelUpdate update) {
    Offer<M> previous = offered.getAndSet(new Offer<>(model, update));
    if (previous != null) {
      close.accept(previous.model());
    }
  }

  /**
   * Whether consumers switched to a version other than {@code parentVersion} that the trainer has
   * not taken yet: a candidate measured meanwhile must not be published, since the newest version
   * wins and publishing it would undo the switch.
   */
  boolean supersedes(String parentVersion) {
    Offer<M> offer = offered.get();
    return offer != null && rebases(parentVersion, offer.update());
  }

  /** The version offered last, or empty. */
  String offeredVersion() {
    Offer<M> offer = offered.get();
    return offer == null ? "" : offer.update().version();
  }

  /** The newest offer, taken (the caller owns its model), or null if none came since. */
  Offer<M> take() {
    return offered.getAndSet(null);
  }

  @Override
  public void close() {
    Offer<M> left = offered.getAndSet(null);
    if (left != null) {
      close.accept(left.model());
    }
  }
}
