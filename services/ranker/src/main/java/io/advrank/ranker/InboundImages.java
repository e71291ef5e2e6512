package io.advrank.ranker;

import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.wire.PixelCodec;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * Reads delivered {@link ImageEvent}s and checks everything the ranker relies on, so that one bad
 * record becomes a dead letter with a precise reason instead of a crash or a silently wrong
 * ranking: the bytes parse ({@code malformed}), the kind is known ({@code unsupported}) and right
 * for the topic ({@code invalid}), ids are set, the image has the model's shape ({@code
 * unsupported}) and its pixels are finite values in [0, 1] ({@code invalid}).
 */
final class InboundImages {
  private final ModelSpec spec;

  InboundImages(ModelSpec spec) {
    this.spec = spec;
  }

  /** The checked image of a record on {@code topic}, which must carry events of {@code kind}. */
  InboundImage read(
      ConsumerRecord<byte[], byte[]> record, Topic<String, ImageEvent> topic, ImageKind kind)
      throws RejectedRecordException {
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
    if (event == null) {
      throw new RejectedRecordException(Reason.INVALID, "empty value (tombstone)", null);
    }
    checkKind(event, kind);
    if (event.getEventId().isEmpty() || event.getItemId().isEmpty()) {
      throw new RejectedRecordException(Reason.INVALID, "event_id and item_id must be set", null);
    }
    float[] pixels = pixels(event.getPixels());
    return new InboundImage(
        event.getEventId(), event.getItemId(), event.hasLabel() ? event.getLabel() : -1, pixels);
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
