package io.advrank.attackworker;

import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads {@link ImageEvent}s from {@code advrank.catalog} and {@code advrank.queries} and checks
 * everything an attack relies on, so one bad record becomes a dead letter with a precise reason
 * instead of a crash, a failed PGD batch or garbage forwarded to the ranker: the size is bounded
 * ({@code invalid}), the bytes parse ({@code malformed}), the kind is known ({@code unsupported})
 * and right for the topic ({@code invalid}), ids are set, the image has the model's shape ({@code
 * unsupported}) and its pixels are finite values in [0, 1] ({@code invalid}).
 */
final class InboundEvents {
  private final ModelSpec spec;
  private final int maxBytes;

  InboundEvents(ModelSpec spec, int maxBytes) {
    this.spec = spec;
    this.maxBytes = maxBytes;
  }

  /** The checked event of a non-null record from the catalog or query topic. */
  InboundEvent read(ConsumerRecord<byte[], byte[]> record, long nowMs)
      throws RejectedRecordException {
    boolean catalog = record.topic().equals(Topics.CATALOG.name());
    Topic<String, ImageEvent> topic = catalog ? Topics.CATALOG : Topics.QUERIES;
    if (record.value().length > maxBytes) {
      throw new RejectedRecordException(
          Reason.INVALID,
          "value of %d bytes exceeds event.max.bytes %d".formatted(record.value().length, maxBytes),
          null);
    }
    ImageEvent event;
    try {
      event =
          topic
              .valueSerde()
              .deserializer()
              .deserialize(topic.name(), record.headers(), record.value());
    } catch (SerializationException e) {
      throw new RejectedRecordException(Reason.MALFORMED, e.getMessage(), e);
    }
    checkKind(event, catalog ? ImageKind.IMAGE_KIND_CATALOG_ITEM : ImageKind.IMAGE_KIND_QUERY);
    if (event.getEventId().isEmpty() || event.getItemId().isEmpty()) {
      throw new RejectedRecordException(Reason.INVALID, "event_id and item_id must be set", null);
    }
    return new InboundEvent(record, event, pixels(event.getPixels()), catalog, nowMs);
  }

  private static void checkKind(ImageEvent event, ImageKind expected)
      throws RejectedRecordException {
    if (event.getKind() == ImageKind.UNRECOGNIZED) {
      throw new RejectedRecordException(
          Reason.UNSUPPORTED, "unknown image kind number " + event.getKindValue(), null);
    }
    if (event.getKind() != expected) {
      throw new RejectedRecordException(
          Reason.INVALID, "kind " + event.getKind() + " where " + expected + " was expected", null);
    }
  }

  private float[] pixels(Pixels pixels) throws RejectedRecordException {
    if (pixels.getChannels() != spec.channels()
        || pixels.getHeight() != spec.height()
        || pixels.getWidth() != spec.width()) {
      throw new RejectedRecordException(
          Reason.UNSUPPORTED,
          "image is %dx%dx%d but the model takes %s"
              .formatted(
                  pixels.getChannels(), pixels.getHeight(), pixels.getWidth(), spec.describe()),
          null);
    }
    float[] values;
    try {
      values = PixelCodec.toFloats(pixels);
    } catch (IllegalArgumentException e) {
      throw new RejectedRecordException(Reason.INVALID, e.getMessage(), e);
    }
    for (int i = 0; i < values.length; i++) {
      // Written so that NaN fails too: every comparison with NaN is false.
      if (!(values[i] >= 0f && values[i] <= 1f)) {
        throw new RejectedRecordException(
            Reason.INVALID, "pixel " + i + " is " + values[i] + ", outside [0, 1]", null);
      }
    }
    return values;
  }
}
