package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import java.util.Arrays;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;

/** One record in, what the trainer learns from it (or why it is dead-lettered) out. */
class IngestTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 4, 4);

  private static float[] image(float v) {
    float[] p = new float[16];
    Arrays.fill(p, v);
    return p;
  }

  private static ImageEvent.Builder event(String itemId) {
    return ImageEvent.newBuilder()
        .setEventId("e-" + itemId)
        .setKind(ImageKind.IMAGE_KIND_CATALOG_ITEM)
        .setItemId(itemId)
        .setPixels(PixelCodec.fromFloats(1, 4, 4, image(0.25f)));
  }

  private static ConsumerRecord<byte[], byte[]> catalog(String key, byte[] value) {
    return new ConsumerRecord<>(
        Topics.CATALOG.name(), 0, 7, key == null ? null : key.getBytes(), value);
  }

  private static ConsumerRecord<byte[], byte[]> catalog(ImageEvent e) {
    return catalog(e.getItemId(), Topics.CATALOG.valueSerde().serializer().serialize("t", e));
  }

  private static ConsumerRecord<byte[], byte[]> adversarial(byte[] value) {
    return new ConsumerRecord<>(Topics.ADVERSARIAL.name(), 0, 3, "k".getBytes(), value);
  }

  private static ConsumerRecord<byte[], byte[]> adversarial(AdversarialVariant v) {
    return adversarial(Topics.ADVERSARIAL.valueSerde().serializer().serialize("t", v));
  }

  private static Reason rejected(Ingest in) {
    return assertInstanceOf(Ingest.Rejected.class, in, in.toString()).reason();
  }

  @Test
  void aLabelledCatalogImageIsAnExampleWithItsItemLabelAndPixels() {
    Ingest in = Ingest.read(catalog(event("item-1").setLabel(3).build()), SPEC);
    Ingest.Catalog c = assertInstanceOf(Ingest.Catalog.class, in);
    assertEquals("item-1", c.itemId());
    assertEquals(3, c.label());
    assertArrayEquals(image(0.25f), c.pixels(), 1e-6f);
  }

  @Test
  void aDeletedItemOrAnUnlabelledImageTeachesNothingAndIsNoError() {
    assertInstanceOf(Ingest.Ignored.class, Ingest.read(catalog("item-1", null), SPEC));
    assertInstanceOf(Ingest.Ignored.class, Ingest.read(catalog(event("item-2").build()), SPEC));
  }

  @Test
  void aVariantIsItsItemIdAndPerturbedPixels() {
    AdversarialVariant v =
        AdversarialVariant.newBuilder()
            .setItemId("item-9")
            .setPerturbed(PixelCodec.fromFloats(1, 4, 4, image(0.5f)))
            .build();
    Ingest.Variant got = assertInstanceOf(Ingest.Variant.class, Ingest.read(adversarial(v), SPEC));
    assertEquals("item-9", got.itemId());
    assertArrayEquals(image(0.5f), got.pixels(), 1e-6f);
  }

  @Test
  void rejectsUnusableRecordsWithTheDeadLetterReason() {
    byte[] garbage = {(byte) 0xff, 0x01, 0x02};
    assertEquals(Reason.MALFORMED, rejected(Ingest.read(catalog("item-1", garbage), SPEC)));
    assertEquals(Reason.MALFORMED, rejected(Ingest.read(adversarial(garbage), SPEC)));
    // Another model's shape, pixels outside [0, 1], a query where a catalog image belongs, no key.
    ImageEvent wide =
        event("a").setLabel(1).setPixels(PixelCodec.fromFloats(1, 4, 5, new float[20])).build();
    assertEquals(Reason.UNSUPPORTED, rejected(Ingest.read(catalog(wide), SPEC)));
    ImageEvent bright =
        event("b").setLabel(1).setPixels(PixelCodec.fromFloats(1, 4, 4, image(2f))).build();
    assertEquals(Reason.INVALID, rejected(Ingest.read(catalog(bright), SPEC)));
    ImageEvent query = event("c").setLabel(1).setKind(ImageKind.IMAGE_KIND_QUERY).build();
    assertEquals(Reason.INVALID, rejected(Ingest.read(catalog(query), SPEC)));
    byte[] keyless = Topics.CATALOG.valueSerde().serializer().serialize("t", event("d").build());
    assertEquals(Reason.INVALID, rejected(Ingest.read(catalog(null, keyless), SPEC)));
    Ingest anonymous =
        Ingest.read(
            adversarial(
                AdversarialVariant.newBuilder()
                    .setPerturbed(PixelCodec.fromFloats(1, 4, 4, image(0.5f)))
                    .build()),
            SPEC);
    assertEquals(Reason.INVALID, rejected(anonymous));
    assertTrue(
        ((Ingest.Rejected) anonymous).error().getMessage().contains("variant without item id"));
  }
}
