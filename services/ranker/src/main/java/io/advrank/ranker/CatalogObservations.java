package io.advrank.ranker;

import io.advrank.core.detection.FeatureSqueeze;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.runtime.topic.Topics;
import io.advrank.serving.CatalogItem;
import io.advrank.serving.MirrorEvents;
import java.util.List;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.Producer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;

/**
 * Publishes what only the holder of the model can see about each catalog photo it embeds, for the
 * monitor ({@code advrank.catalog.observations}, key item id): the photo's feature-squeezing
 * consistency score and, on a re-upload, how far the item's embedding jumped. Each observation
 * carries its catalog record's timestamp, so re-reading the catalog after a restart yields the same
 * windows (and alert ids) downstream.
 */
final class CatalogObservations {
  private final Producer<byte[], byte[]> producer;
  private final FeatureSqueeze squeeze;

  CatalogObservations(Producer<byte[], byte[]> producer, FeatureSqueeze squeeze) {
    this.producer = producer;
    this.squeeze = squeeze;
  }

  /** One observation per photo of {@code batch}, as the catalog mirror embedded them. */
  void publish(MirrorEvents.Embedded batch) {
    EmbeddingModel model = batch.model();
    List<CatalogItem> items = batch.items();
    List<ConsumerRecord<byte[], byte[]>> records = batch.records();
    Embeddings embeddings = batch.embeddings();
    List<float[]> previous = batch.previous();
    long nowMillis = batch.atMillis();
    float[] scores = squeeze.scores(model, batch.pixels(), items.size(), embeddings);
    String topic = Topics.CATALOG_OBSERVATIONS.name();
    for (int i = 0; i < items.size(); i++) {
      CatalogObservation.Builder o =
          CatalogObservation.newBuilder()
              .setItemId(items.get(i).itemId())
              .setEventId(items.get(i).eventId())
              .setModelVersion(model.version())
              .setConsistencyScore(scores[i])
              .setObservedAtMs(nowMillis);
      if (previous.get(i) != null) {
        o.setEmbeddingJump((float) (1 - dot(previous.get(i), embeddings.row(i))));
      }
      RecordHeaders headers = new RecordHeaders();
      byte[] key =
          Topics.CATALOG_OBSERVATIONS.keySerde().serializer().serialize(topic, o.getItemId());
      byte[] value =
          Topics.CATALOG_OBSERVATIONS
              .valueSerde()
              .serializer()
              .serialize(topic, headers, o.build());
      producer.send(
          new ProducerRecord<>(topic, null, records.get(i).timestamp(), key, value, headers));
    }
  }

  private static double dot(float[] a, float[] b) {
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += (double) a[i] * b[i];
    }
    return s;
  }
}
