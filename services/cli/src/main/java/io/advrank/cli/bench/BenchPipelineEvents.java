package io.advrank.cli.bench;

import io.advrank.core.data.ImageDataset;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.Source;
import io.advrank.runtime.wire.PixelCodec;

/**
 * The bench's seller uploads and shopper queries: images of the test split as {@link ImageEvent}s
 * whose ids carry this run's id, so that on a shared cluster the bench recognises its own rank
 * shifts and rankings among other traffic, and a second run never collides with the first.
 */
final class BenchPipelineEvents {
  private final ImageDataset data;
  private final String run;

  BenchPipelineEvents(ImageDataset data, String run) {
    this.data = data;
    this.run = run;
  }

  ImageDataset data() {
    return data;
  }

  /** Catalog item id of test image {@code index}: the key on {@code advrank.catalog}. */
  String itemId(int index) {
    return itemPrefix() + index;
  }

  /** What every item id of this run starts with. */
  String itemPrefix() {
    return "bench-" + run + "-item-";
  }

  /** Query id of the {@code n}-th query of a phase: the key on {@code advrank.queries}. */
  String queryId(String phase, long n) {
    return queryPrefix(phase) + n;
  }

  /** What every query id of {@code phase} in this run starts with. */
  String queryPrefix(String phase) {
    return "bench-" + run + "-" + phase + "-q-";
  }

  /** Test image {@code index} uploaded as a catalog item, stamped now. */
  ImageEvent catalogItem(int index) {
    String id = itemId(index);
    return event(id, ImageKind.IMAGE_KIND_CATALOG_ITEM, id, index);
  }

  /** The {@code n}-th query of {@code phase}, showing test image {@code index}, stamped now. */
  ImageEvent query(String phase, long n, int index) {
    String id = queryId(phase, n);
    return event(id, ImageKind.IMAGE_KIND_QUERY, id, index);
  }

  private ImageEvent event(String eventId, ImageKind kind, String itemId, int index) {
    return ImageEvent.newBuilder()
        .setEventId(eventId)
        .setKind(kind)
        .setItemId(itemId)
        .setLabel(data.label(index))
        .setPixels(PixelCodec.fromUint8(data.channels(), data.height(), data.width(), uint8(index)))
        // Stamped last, just before the send: the latency of a query counts from here.
        .setProducedAtMs(System.currentTimeMillis())
        .setSource(
            Source.newBuilder()
                .setProducer("bench-pipeline")
                .setDataset(data.name())
                .setSplit("test")
                .setIndex(index))
        .build();
  }

  /** The image's original bytes: the data set stores v = b / 255, which rounds back exactly. */
  private byte[] uint8(int index) {
    float[] values = data.image(index);
    byte[] out = new byte[values.length];
    for (int i = 0; i < values.length; i++) {
      out[i] = (byte) Math.round(values[i] * 255f);
    }
    return out;
  }
}
