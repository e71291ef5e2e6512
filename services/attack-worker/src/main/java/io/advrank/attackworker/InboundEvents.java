package io.advrank.attackworker;

import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.ImageEventChecks;
import io.advrank.runtime.wire.RejectedRecordException;
import io.advrank.serving.CatalogItem;
import io.advrank.serving.ModelInput;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads {@link ImageEvent}s from {@code advrank.catalog} and {@code advrank.queries}: the size is
 * bounded ({@code invalid}), then {@link ImageEventChecks} and {@link ModelInput} apply (a photo
 * file is decoded and fitted to the model's input), so one bad record becomes a dead letter instead
 * of a crash, a failed PGD batch or garbage forwarded to the ranker.
 */
final class InboundEvents {
  private final ModelSpec spec;
  private final int maxBytes;

  InboundEvents(ModelSpec spec, int maxBytes) {
    this.spec = spec;
    this.maxBytes = maxBytes;
  }

  /**
   * The checked event of a record from the catalog or query topic; a record without a value is
   * {@code invalid} here (a catalog delete never reaches this: it is forwarded as it is).
   */
  InboundEvent read(ConsumerRecord<byte[], byte[]> record, long nowMs)
      throws RejectedRecordException {
    boolean catalog = record.topic().equals(Topics.CATALOG.name());
    Topic<String, ImageEvent> topic = catalog ? Topics.CATALOG : Topics.QUERIES;
    if (record.value() != null && record.value().length > maxBytes) {
      throw new RejectedRecordException(
          Reason.INVALID,
          "value of %d bytes exceeds event.max.bytes %d".formatted(record.value().length, maxBytes),
          null);
    }
    ImageEvent event =
        ImageEventChecks.decode(
            record,
            topic,
            catalog ? ImageKind.IMAGE_KIND_CATALOG_ITEM : ImageKind.IMAGE_KIND_QUERY);
    float[] pixels = ModelInput.pixels(event.getPixels(), spec);
    return new InboundEvent(record, event, pixels, catalog, nowMs);
  }

  /**
   * A record of {@code advrank.catalog} as the attack gallery keeps it. A record without a value
   * (and so without a key to remove) is refused: the gallery skips it, like any unusable record.
   */
  CatalogItem galleryItem(ConsumerRecord<byte[], byte[]> record, long nowMs)
      throws RejectedRecordException {
    if (record.value() == null) {
      throw new RejectedRecordException(Reason.MALFORMED, "tombstone without a key", null);
    }
    InboundEvent in = read(record, nowMs);
    ImageEvent e = in.event();
    int label = e.hasLabel() ? e.getLabel() : -1;
    return new CatalogItem(e.getItemId(), e.getEventId(), label, in.pixels());
  }
}
