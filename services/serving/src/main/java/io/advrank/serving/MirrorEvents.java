package io.advrank.serving;

import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.wire.RejectedRecordException;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * What a {@link CatalogMirror} tells its service, on the mirror's thread. Every method has a
 * default, so a service overrides only what it acts on: dead letters, metrics, observations, the
 * served-version bookkeeping ({@code ModelFeed#served}).
 */
public interface MirrorEvents {
  /**
   * One poll's catalog images, embedded in one call, just before they enter the mirror.
   *
   * @param model the version that embedded them (the one served)
   * @param pixels the images back to back, {@code items.size()} of the model's input size
   * @param items the checked images, in record order
   * @param records their records, index for index
   * @param embeddings row i embeds {@code items.get(i)}
   * @param previous each item's embedding before this poll, null for a first upload
   * @param atMillis the clock when they were embedded
   */
  record Embedded(
      EmbeddingModel model,
      float[] pixels,
      List<CatalogItem> items,
      List<ConsumerRecord<byte[], byte[]>> records,
      Embeddings embeddings,
      List<float[]> previous,
      long atMillis) {}

  /** A record the decoder refused; it is no part of the mirror. */
  default void rejected(ConsumerRecord<byte[], byte[]> record, RejectedRecordException e) {}

  /**
   * Embedding one poll's images failed; by default the error propagates (and stops the mirror's
   * thread). A service that would rather drop the images (e.g. to dead letters) overrides this.
   */
  default void embedFailed(List<ConsumerRecord<byte[], byte[]>> records, RuntimeException e) {
    throw e;
  }

  /** Images were embedded with the served version (best effort for the service: don't throw). */
  default void embedded(Embedded batch) {}

  /** A new snapshot of {@code items} items was published. */
  default void rebuilt(int items) {}

  /** The catalog present at start is read and its first snapshot published. */
  default void loaded(int items) {}

  /** The mirror serves {@code update}'s version now: its catalog is re-embedded with it. */
  default void swapped(ModelUpdate update) {}

  /** The mirror's own thread ({@link CatalogMirror#run()}) stopped on this error. */
  default void failed(Throwable error) {}
}
