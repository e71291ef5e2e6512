package io.advrank.runtime.wire;

import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topic;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.errors.SerializationException;

/**
 * The checks every consumer of {@link ImageEvent}s needs, so that one bad record becomes a dead
 * letter with a precise reason instead of a crash or a silently wrong result: the bytes parse
 * ({@code malformed}), the value is not empty, the record has a key ({@code invalid}), the kind is
 * known ({@code unsupported}) and right for the topic ({@code invalid}), ids are set ({@code
 * invalid}), a tensor image has the model's shape ({@code unsupported}) and its pixels are finite
 * values in [0, 1] ({@code invalid}). Photo files ({@code Pixels.encoded}) are decoded against a
 * model by {@code io.advrank.serving.ModelInput}, which applies {@link #pixels} to tensors.
 */
public final class ImageEventChecks {
  private ImageEventChecks() {}

  /** The parsed event of a record on {@code topic}, which must carry events of {@code kind}. */
  public static ImageEvent decode(
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
    if (record.key() == null) {
      // Every image topic is keyed by the item or query id: without a key, a catalog record could
      // never be deleted or compacted, and a query's ranking would have no key to join on.
      throw new RejectedRecordException(
          Reason.INVALID, "record has no key (the item or query id) on " + topic.name(), null);
    }
    if (event.getKind() == ImageKind.UNRECOGNIZED) {
      throw new RejectedRecordException(
          Reason.UNSUPPORTED, "unknown image kind number " + event.getKindValue(), null);
    }
    if (event.getKind() != kind) {
      throw new RejectedRecordException(
          Reason.INVALID, "kind " + event.getKind() + " where " + kind + " was expected", null);
    }
    if (event.getEventId().isEmpty() || event.getItemId().isEmpty()) {
      throw new RejectedRecordException(Reason.INVALID, "event_id and item_id must be set", null);
    }
    return event;
  }

  /**
   * The pixels as floats, if the image is {@code channels × height × width} (else {@code
   * unsupported}, naming {@code model}) and every value is in [0, 1] (else {@code invalid}).
   */
  public static float[] pixels(Pixels pixels, int channels, int height, int width, String model)
      throws RejectedRecordException {
    if (pixels.getDataCase() == Pixels.DataCase.ENCODED) {
      throw new RejectedRecordException(
          Reason.UNSUPPORTED, "an encoded photo where pixels of " + model + " were expected", null);
    }
    if (pixels.getChannels() != channels
        || pixels.getHeight() != height
        || pixels.getWidth() != width) {
      throw new RejectedRecordException(
          Reason.UNSUPPORTED,
          "image is %dx%dx%d but the model takes %s"
              .formatted(pixels.getChannels(), pixels.getHeight(), pixels.getWidth(), model),
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
