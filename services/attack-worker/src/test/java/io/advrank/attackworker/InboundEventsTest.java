package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.Pixels;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.advrank.runtime.wire.RejectedRecordException;
import io.advrank.serving.CatalogItem;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class InboundEventsTest {
  private final InboundEvents inbound = new InboundEvents(ModelSpec.c2f1(1, 28, 28), 8192);

  @Test
  void acceptsACatalogItemAndAFloatQuery() throws Exception {
    InboundEvent item =
        inbound.read(
            record(Topics.CATALOG.name(), event(ImageKind.IMAGE_KIND_CATALOG_ITEM, uint8(28))), 5);
    assertTrue(item.catalog());
    assertEquals(784, item.pixels().length);
    float[] values = new float[784];
    Arrays.fill(values, 0.5f);
    InboundEvent query =
        inbound.read(
            record(
                Topics.QUERIES.name(),
                event(ImageKind.IMAGE_KIND_QUERY, PixelCodec.fromFloats(1, 28, 28, values))),
            5);
    assertEquals(0.5f, query.pixels()[0]);
  }

  @Test
  void rejectsEachKindOfBadInputWithItsReason() {
    assertReason(Reason.MALFORMED, record(Topics.QUERIES.name(), new byte[] {(byte) 0xff, 1, 2}));
    assertReason(Reason.UNSUPPORTED, queryBytes(event(ImageKind.IMAGE_KIND_QUERY, uint8(27))));
    assertReason(
        Reason.UNSUPPORTED,
        queryBytes(
            event(ImageKind.IMAGE_KIND_QUERY, uint8(28)).toBuilder().setKindValue(9).build()));
    assertReason(Reason.INVALID, queryBytes(event(ImageKind.IMAGE_KIND_CATALOG_ITEM, uint8(28))));
    assertReason(
        Reason.INVALID,
        queryBytes(
            event(ImageKind.IMAGE_KIND_QUERY, uint8(28)).toBuilder().setEventId("").build()));
    float[] nan = new float[784];
    nan[3] = Float.NaN;
    assertReason(
        Reason.INVALID,
        queryBytes(event(ImageKind.IMAGE_KIND_QUERY, PixelCodec.fromFloats(1, 28, 28, nan))));
    float[] big = new float[784];
    big[0] = 1.5f;
    assertReason(
        Reason.INVALID,
        queryBytes(event(ImageKind.IMAGE_KIND_QUERY, PixelCodec.fromFloats(1, 28, 28, big))));
    assertReason(Reason.INVALID, record(Topics.QUERIES.name(), new byte[9000]));
  }

  @Test
  void rejectsAQueryWithoutKeyAndAQueryTombstoneAsInvalid() {
    byte[] valid = event(ImageKind.IMAGE_KIND_QUERY, uint8(28)).toByteArray();
    assertReason(Reason.INVALID, new ConsumerRecord<>(Topics.QUERIES.name(), 0, 0L, null, valid));
    assertReason(Reason.INVALID, record(Topics.QUERIES.name(), (byte[]) null));
  }

  @Test
  void readsAGalleryItemWithItsIdsAndLabelAndRefusesAValueWithoutKey() throws Exception {
    ImageEvent labelled =
        event(ImageKind.IMAGE_KIND_CATALOG_ITEM, uint8(28)).toBuilder().setLabel(7).build();
    CatalogItem item = inbound.galleryItem(record(Topics.CATALOG.name(), labelled), 0);
    assertEquals("item-1", item.itemId());
    assertEquals("e-1", item.eventId());
    assertEquals(7, item.label());
    assertEquals(784, item.pixels().length);
    ImageEvent unlabelled = event(ImageKind.IMAGE_KIND_CATALOG_ITEM, uint8(28));
    assertEquals(-1, inbound.galleryItem(record(Topics.CATALOG.name(), unlabelled), 0).label());
    ConsumerRecord<byte[], byte[]> noKeyNoValue =
        new ConsumerRecord<>(Topics.CATALOG.name(), 0, 0L, null, null);
    assertThrows(RejectedRecordException.class, () -> inbound.galleryItem(noKeyNoValue, 0));
  }

  private void assertReason(Reason reason, ConsumerRecord<byte[], byte[]> r) {
    RejectedRecordException e =
        assertThrows(RejectedRecordException.class, () -> inbound.read(r, 0));
    assertEquals(reason, e.reason(), e.getMessage());
  }

  static ImageEvent event(ImageKind kind, Pixels pixels) {
    return ImageEvent.newBuilder()
        .setEventId("e-1")
        .setKind(kind)
        .setItemId("item-1")
        .setPixels(pixels)
        .build();
  }

  private static Pixels uint8(int side) {
    return PixelCodec.fromUint8(1, side, side, new byte[side * side]);
  }

  private static ConsumerRecord<byte[], byte[]> queryBytes(ImageEvent e) {
    return record(Topics.QUERIES.name(), e.toByteArray());
  }

  private static ConsumerRecord<byte[], byte[]> record(String topic, ImageEvent e) {
    return record(topic, e.toByteArray());
  }

  private static ConsumerRecord<byte[], byte[]> record(String topic, byte[] value) {
    return new ConsumerRecord<>(topic, 0, 0L, "k".getBytes(), value);
  }
}
