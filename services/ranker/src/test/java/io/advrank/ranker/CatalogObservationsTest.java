package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.detection.FeatureSqueeze;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.runtime.topic.Topics;
import io.advrank.serving.CatalogItem;
import io.advrank.serving.MirrorEvents;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * The catalog observations a batch of embedded photos yields, with a tiny C2F1 and a {@link
 * MockProducer}: one per photo, keyed by item, stamped with its catalog record's time, with the
 * squeeze score the detector computes and the embedding jump of a re-upload.
 */
class CatalogObservationsTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 4, 4);
  private static final String TOPIC = Topics.CATALOG_OBSERVATIONS.name();
  private static final long AT_MS = 1_700_000_000_000L;

  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());

  @Test
  void publishesOneObservationPerPhotoWithItsScoreJumpAndRecordTime() {
    FeatureSqueeze squeeze = FeatureSqueeze.of(SPEC);
    try (EmbeddingModel model = EmbeddingModel.create(SPEC, 0, Device.cpu())) {
      float[] pixels = pixels(3);
      Embeddings embeddings = model.embed(pixels, 3);
      float[] elsewhere = model.embed(pixels(1), 1).row(0); // item-1's photo before its re-upload
      List<float[]> previous = Arrays.asList(null, elsewhere, embeddings.row(2));
      MirrorEvents.Embedded batch =
          new MirrorEvents.Embedded(
              model,
              pixels,
              List.of(
                  item("item-0", pixels, 0), item("item-1", pixels, 1), item("item-2", pixels, 2)),
              List.of(record(0, 5_000L), record(1, 7_000L), record(2, 9_000L)),
              embeddings,
              previous,
              AT_MS);

      new CatalogObservations(producer, squeeze).publish(batch);

      float[] expectedScores = squeeze.scores(model, pixels, 3, embeddings);
      List<ProducerRecord<byte[], byte[]>> sent = producer.history();
      assertEquals(3, sent.size());
      List<CatalogObservation> observations = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        ProducerRecord<byte[], byte[]> r = sent.get(i);
        CatalogObservation o =
            Topics.CATALOG_OBSERVATIONS.valueSerde().deserializer().deserialize(TOPIC, r.value());
        observations.add(o);
        assertEquals(TOPIC, r.topic());
        assertEquals(
            "item-" + i,
            Topics.CATALOG_OBSERVATIONS.keySerde().deserializer().deserialize(TOPIC, r.key()));
        assertEquals(5_000L + 2_000L * i, r.timestamp(), "the catalog record's time, not now");
        assertEquals("item-" + i, o.getItemId());
        assertEquals("event-" + i, o.getEventId());
        assertEquals(model.version(), o.getModelVersion());
        assertEquals(expectedScores[i], o.getConsistencyScore(), 0f);
        assertEquals(AT_MS, o.getObservedAtMs());
      }
      assertFalse(observations.get(0).hasEmbeddingJump(), "a first upload has no jump");
      double dot = 0;
      for (int d = 0; d < elsewhere.length; d++) {
        dot += (double) elsewhere[d] * embeddings.row(1)[d];
      }
      assertEquals(1 - dot, observations.get(1).getEmbeddingJump(), 1e-6);
      assertTrue(observations.get(1).getEmbeddingJump() > 0.01, "a different photo jumps");
      assertEquals(0, observations.get(2).getEmbeddingJump(), 1e-5, "the same photo again");
    }
  }

  private static float[] pixels(int count) {
    Random random = new Random(count);
    float[] p = new float[count * SPEC.imageSize()];
    for (int i = 0; i < p.length; i++) {
      p[i] = random.nextFloat();
    }
    return p;
  }

  private static CatalogItem item(String id, float[] pixels, int row) {
    int size = SPEC.imageSize();
    return new CatalogItem(
        id, "event-" + row, 0, Arrays.copyOfRange(pixels, row * size, (row + 1) * size));
  }

  private static ConsumerRecord<byte[], byte[]> record(int offset, long timestamp) {
    return new ConsumerRecord<>(
        Topics.CATALOG_DELIVERED.name(),
        0,
        offset,
        timestamp,
        TimestampType.CREATE_TIME,
        0,
        0,
        new byte[0],
        new byte[0],
        new RecordHeaders(),
        Optional.empty());
  }
}
