package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.advrank.runtime.wire.RejectedRecordException;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

class InboundImagesTest {
  private final InboundImages images = new InboundImages(ModelSpec.c2f1(1, 28, 28));

  private static ImageEvent.Builder query(float[] pixels) {
    return ImageEvent.newBuilder()
        .setEventId("e-1")
        .setItemId("q-1")
        .setKind(ImageKind.IMAGE_KIND_QUERY)
        .setLabel(3)
        .setPixels(PixelCodec.fromFloats(1, 28, 28, pixels));
  }

  private InboundImage read(byte[] value) throws RejectedRecordException {
    return images.read(
        new ConsumerRecord<>(Topics.QUERIES_DELIVERED.name(), 0, 0, "q-1".getBytes(), value),
        Topics.QUERIES_DELIVERED,
        ImageKind.IMAGE_KIND_QUERY);
  }

  private Reason rejection(byte[] value) {
    return assertThrows(RejectedRecordException.class, () -> read(value)).reason();
  }

  @Test
  void acceptsAValidQuery() throws RejectedRecordException {
    float[] pixels = new float[784];
    pixels[5] = 1f;

    InboundImage image = read(query(pixels).build().toByteArray());

    assertEquals("e-1", image.eventId());
    assertEquals("q-1", image.itemId());
    assertEquals(3, image.label());
    assertEquals(1f, image.pixels()[5]);
  }

  @Test
  void bytesThatDoNotParseAreMalformed() {
    assertEquals(Reason.MALFORMED, rejection(new byte[] {0x0A, (byte) 0xFF, 0x7F}));
  }

  @Test
  void nanAndOutOfRangePixelsAreInvalid() {
    float[] nan = new float[784];
    nan[10] = Float.NaN;
    float[] big = new float[784];
    big[0] = 1.5f;

    assertEquals(Reason.INVALID, rejection(query(nan).build().toByteArray()));
    assertEquals(Reason.INVALID, rejection(query(big).build().toByteArray()));
  }

  @Test
  void aShapeTheModelCannotTakeIsUnsupported() {
    ImageEvent small =
        query(new float[784]).setPixels(PixelCodec.fromFloats(1, 14, 14, new float[196])).build();

    RejectedRecordException e =
        assertThrows(RejectedRecordException.class, () -> read(small.toByteArray()));
    assertEquals(Reason.UNSUPPORTED, e.reason());
    assertTrue(e.getMessage().contains("1x14x14"), e.getMessage());
  }

  @Test
  void unknownKindIsUnsupportedAndWrongKindInvalid() {
    byte[] unknown = query(new float[784]).setKindValue(42).build().toByteArray();
    byte[] catalog =
        query(new float[784]).setKind(ImageKind.IMAGE_KIND_CATALOG_ITEM).build().toByteArray();

    assertEquals(Reason.UNSUPPORTED, rejection(unknown));
    assertEquals(Reason.INVALID, rejection(catalog));
  }

  @Test
  void pixelBytesNotMatchingTheShapeAreInvalid() {
    ImageEvent truncated =
        query(new float[784])
            .setPixels(
                PixelCodec.fromUint8(1, 28, 28, new byte[784]).toBuilder()
                    .setUint8(com.google.protobuf.ByteString.copyFrom(new byte[700])))
            .build();

    assertEquals(Reason.INVALID, rejection(truncated.toByteArray()));
  }
}
