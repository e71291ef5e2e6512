package io.advrank.defensetrainer;

import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.ImageEventChecks;
import io.advrank.runtime.wire.RejectedRecordException;
import io.advrank.serving.ModelInput;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * What one input record gives the trainer, decided without side effects: a labelled catalog image
 * ({@code advrank.catalog}), an adversarial variant of a catalog item ({@code
 * advrank.adversarial}), nothing (a deleted item, an image without a label), or a rejection with
 * the dead-letter reason (bytes that do not parse, a wrong kind or shape, pixels outside [0, 1], a
 * variant without an item id).
 */
sealed interface Ingest {
  /** A labelled catalog image: held out or trained on, as {@link TrainingBuffer} decides. */
  record Catalog(String itemId, float[] pixels, int label) implements Ingest {}

  /** An adversarial variant of {@code itemId}, trained on with that item's label if known. */
  record Variant(String itemId, float[] pixels) implements Ingest {}

  /** A record with nothing to learn from; {@code why} says what it was. */
  record Ignored(String why) implements Ingest {}

  /** A record that is not a usable image or variant: it belongs on the dead-letter topic. */
  record Rejected(RejectedRecordException error) implements Ingest {
    DeadLetters.Reason reason() {
      return error.reason();
    }
  }

  /** The record read against the model's input {@code spec}. */
  static Ingest read(ConsumerRecord<byte[], byte[]> r, ModelSpec spec) {
    try {
      if (r.topic().equals(Topics.CATALOG.name())) {
        return catalog(r, spec);
      }
      AdversarialVariant v = variant(r);
      return new Variant(v.getItemId(), pixels(v.getPerturbed(), spec));
    } catch (RejectedRecordException e) {
      return new Rejected(e);
    }
  }

  private static Ingest catalog(ConsumerRecord<byte[], byte[]> r, ModelSpec spec)
      throws RejectedRecordException {
    if (r.value() == null) {
      // A deleted item: its images stay in the buffer until they roll out.
      return new Ignored("deleted item");
    }
    ImageEvent e = ImageEventChecks.decode(r, Topics.CATALOG, ImageKind.IMAGE_KIND_CATALOG_ITEM);
    if (!e.hasLabel()) {
      return new Ignored("image without a label");
    }
    return new Catalog(e.getItemId(), pixels(e.getPixels(), spec), e.getLabel());
  }

  private static AdversarialVariant variant(ConsumerRecord<byte[], byte[]> r)
      throws RejectedRecordException {
    AdversarialVariant v;
    try {
      v =
          Topics.ADVERSARIAL
              .valueSerde()
              .deserializer()
              .deserialize(r.topic(), r.headers(), r.value());
    } catch (SerializationException e) {
      throw new RejectedRecordException(DeadLetters.Reason.MALFORMED, e.getMessage(), e);
    }
    if (v == null || v.getItemId().isEmpty()) {
      throw new RejectedRecordException(
          DeadLetters.Reason.INVALID, "variant without item id", null);
    }
    return v;
  }

  private static float[] pixels(Pixels p, ModelSpec spec) throws RejectedRecordException {
    return ModelInput.pixels(p, spec);
  }
}
