package io.advrank.ranker;

import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.ImageEventChecks;
import io.advrank.runtime.wire.RejectedRecordException;
import io.advrank.serving.CatalogItem;
import io.advrank.serving.ModelInput;
import org.apache.kafka.clients.consumer.ConsumerRecord;

/**
 * Reads delivered {@link ImageEvent}s for the ranker, checked by {@link ImageEventChecks} and
 * brought to the model's input by {@link ModelInput} (photo files decoded and fitted).
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
    ImageEvent event = ImageEventChecks.decode(record, topic, kind);
    float[] pixels = ModelInput.pixels(event.getPixels(), spec);
    return new InboundImage(
        event.getEventId(), event.getItemId(), event.hasLabel() ? event.getLabel() : -1, pixels);
  }

  /** A record of {@code advrank.catalog.delivered} as the catalog mirror keeps it. */
  CatalogItem catalogItem(ConsumerRecord<byte[], byte[]> record) throws RejectedRecordException {
    InboundImage image = read(record, Topics.CATALOG_DELIVERED, ImageKind.IMAGE_KIND_CATALOG_ITEM);
    return new CatalogItem(image.itemId(), image.eventId(), image.label(), image.pixels());
  }
}
