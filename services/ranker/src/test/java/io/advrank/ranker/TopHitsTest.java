package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.Hit;
import io.advrank.runtime.model.SwapStages;
import io.advrank.serving.CatalogItem;
import io.advrank.serving.CatalogMirror;
import io.advrank.serving.GallerySnapshot;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.MockConsumer;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;

class TopHitsTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 4, 4);

  /** A pattern of its own per seed (a flat grey would embed alike at every level). */
  private static float[] image(int seed) {
    float[] pixels = new float[SPEC.imageSize()];
    for (int j = 0; j < pixels.length; j++) {
      pixels[j] = ((j + 1) * seed % 11) / 10f;
    }
    return pixels;
  }

  /** Labels by item: x is 0, y is 1, z carries none. */
  private static CatalogItem item(ConsumerRecord<byte[], byte[]> r) {
    String id = new String(r.key());
    float[] pixels = image(r.value()[0]);
    return new CatalogItem(id, "e-" + id, "xyz".indexOf(id) < 2 ? "xyz".indexOf(id) : -1, pixels);
  }

  /** The catalog loaded from {@code ids} (images 1, 5, 9), ranked with a tiny C2F1. */
  private static void withCatalog(EmbeddingModel model, List<String> ids, SnapshotCheck check) {
    String topic = "catalog.delivered";
    TopicPartition p = new TopicPartition(topic, 0);
    MockConsumer<byte[], byte[]> consumer = new MockConsumer<>("earliest");
    consumer.updatePartitions(topic, List.of(new PartitionInfo(topic, 0, null, null, null)));
    consumer.updateBeginningOffsets(Map.of(p, 0L));
    consumer.updateEndOffsets(Map.of(p, (long) ids.size()));
    consumer.schedulePollTask(
        () -> {
          for (int i = 0; i < ids.size(); i++) {
            byte[] grey = {(byte) (1 + 4 * i)};
            consumer.addRecord(new ConsumerRecord<>(topic, 0, i, ids.get(i).getBytes(), grey));
          }
        });
    try (CatalogMirror mirror =
        CatalogMirror.builder()
            .setCatalog(consumer, topic)
            .setModel(model, false)
            .setDecoder(TopHitsTest::item)
            .setSwapStages(new SwapStages(new SimpleMeterRegistry(), "ranker"))
            .setClock(Clock.systemUTC())
            .setRebuild(1, Duration.ofSeconds(1))
            .build()) {
      assertTrue(mirror.loadInitial(() -> true));
      check.accept(mirror.current());
    }
  }

  private interface SnapshotCheck {
    void accept(GallerySnapshot snapshot);
  }

  @Test
  void ranksByCosineDistanceWithItemIdsAndKnownLabels() {
    try (EmbeddingModel model = EmbeddingModel.create(SPEC, 0, Device.cpu())) {
      float[] likeY = image(5);
      withCatalog(
          model,
          List.of("x", "y", "z"),
          s -> {
            List<Hit> top = TopHits.of(s, model.embed(likeY, 1), 10).get(0);

            assertEquals(3, top.size(), "k is capped at the gallery size");
            assertEquals("y", top.get(0).getItemId());
            assertEquals(0f, top.get(0).getDistance(), 1e-5f);
            assertTrue(top.get(1).getDistance() <= top.get(2).getDistance(), "best first");
            assertEquals(1, top.get(0).getLabel());
            Hit z = top.stream().filter(h -> h.getItemId().equals("z")).findFirst().orElseThrow();
            assertFalse(z.hasLabel(), "unknown label stays unset");
          });
    }
  }

  @Test
  void anEmptyCatalogGivesEmptyRankings() {
    try (EmbeddingModel model = EmbeddingModel.create(SPEC, 0, Device.cpu())) {
      withCatalog(
          model,
          List.of(),
          s ->
              assertEquals(
                  List.of(List.of()), TopHits.of(s, new Embeddings(new float[1024], 1, 1024), 5)));
    }
  }
}
