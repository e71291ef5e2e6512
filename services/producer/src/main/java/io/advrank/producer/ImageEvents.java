package io.advrank.producer;

import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.Source;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Turns images of one data-set split into {@link ImageEvent}s with ids that are unique and stable:
 * the same producer id, seed and position always give the same event id, so a run can be replayed
 * and joined against its ground truth.
 */
final class ImageEvents {
  private final Uploads data;
  private final String datasetName;
  private final String split;
  private final String producerId;
  private final long seed;

  ImageEvents(Uploads data, String datasetName, String split, String producerId, long seed) {
    this.data = data;
    this.datasetName = datasetName;
    this.split = split;
    this.producerId = producerId;
    this.seed = seed;
  }

  /**
   * The catalog item of image {@code index}; its item id is stable across runs and seeds.
   *
   * @throws IOException if the image's file cannot be read
   */
  ImageEvent catalogItem(int index, long producedAtMs) throws IOException {
    String eventId = uuid("catalog", datasetName, split, Integer.toString(index));
    return event(eventId, ImageKind.IMAGE_KIND_CATALOG_ITEM, itemId(index), index, producedAtMs);
  }

  /**
   * The {@code sequence}-th query of this run, showing image {@code index}.
   *
   * @throws IOException if the image's file cannot be read
   */
  ImageEvent query(long sequence, int index, long producedAtMs) throws IOException {
    String eventId = uuid("query", datasetName, split, Long.toString(sequence));
    return event(eventId, ImageKind.IMAGE_KIND_QUERY, queryId(sequence), index, producedAtMs);
  }

  /** Catalog item id of image {@code index}: the Kafka key on {@code advrank.catalog}. */
  static String itemId(int index) {
    return "item-" + index;
  }

  /** Query id of the {@code sequence}-th query: the Kafka key on {@code advrank.queries}. */
  String queryId(long sequence) {
    return "q-" + seed + "-" + sequence;
  }

  private ImageEvent event(String eventId, ImageKind kind, String itemId, int index, long atMs)
      throws IOException {
    return ImageEvent.newBuilder()
        .setEventId(eventId)
        .setKind(kind)
        .setItemId(itemId)
        .setLabel(data.label(index))
        .setPixels(data.pixels(index))
        .setProducedAtMs(atMs)
        .setSource(
            Source.newBuilder()
                .setProducer(producerId)
                .setDataset(datasetName)
                .setSplit(split)
                .setIndex(index)
                .setSeed(seed))
        .build();
  }

  /**
   * A name-based (type 3) UUID: the same parts always give the same id, and different kinds,
   * producers, data sets, positions or seeds give different ones.
   */
  private String uuid(String kind, String dataset, String splitName, String position) {
    String name =
        String.join(
            "|", "advrank", kind, producerId, dataset, splitName, position, Long.toString(seed));
    return UUID.nameUUIDFromBytes(name.getBytes(StandardCharsets.UTF_8)).toString();
  }
}
