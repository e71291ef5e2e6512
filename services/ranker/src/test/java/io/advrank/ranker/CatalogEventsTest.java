package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import ai.djl.Device;
import io.advrank.core.detection.FeatureSqueeze;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.kafka.DeadLetters.Reason;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelUpdate;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.RejectedRecordException;
import io.advrank.serving.CatalogItem;
import io.advrank.serving.MirrorEvents;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.apache.kafka.common.record.TimestampType;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.Test;

/**
 * What the ranker does with its catalog mirror's events, with a {@link MockProducer} for dead
 * letters and observations and a tiny C2F1: no broker, no mirror.
 */
class CatalogEventsTest {
  private static final ModelSpec SPEC = ModelSpec.c2f1(1, 4, 4);
  private static final String CATALOG = Topics.CATALOG_DELIVERED.name();

  private final MockProducer<byte[], byte[]> producer =
      new MockProducer<>(true, null, new ByteArraySerializer(), new ByteArraySerializer());
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final AtomicInteger ready = new AtomicInteger();
  private final List<ModelUpdate> swapped = new ArrayList<>();
  private final List<Throwable> fatal = new ArrayList<>();

  private CatalogEvents events(CatalogObservations observations) {
    return new CatalogEvents(
        new DeadLetters(producer, "ranker", registry),
        observations,
        new RankerMetrics(registry),
        ready::incrementAndGet,
        swapped::add,
        fatal::add);
  }

  private CatalogEvents events() {
    return events(new CatalogObservations(producer, FeatureSqueeze.of(SPEC)));
  }

  @Test
  void aRejectedRecordIsDeadLetteredWithItsReason() {
    events()
        .rejected(record(4), new RejectedRecordException(Reason.UNSUPPORTED, "3 channels", null));

    ProducerRecord<byte[], byte[]> letter = single();
    assertEquals(Topics.DEAD_LETTER.name(), letter.topic());
    assertEquals("unsupported", DeadLetters.header(letter.headers(), DeadLetters.REASON));
    assertEquals("4", DeadLetters.header(letter.headers(), DeadLetters.SOURCE_OFFSET));
  }

  @Test
  void imagesWhoseEmbeddingFailedAreEachDeadLetteredAsProcessingFailed() {
    events().embedFailed(List.of(record(1), record(2)), new IllegalStateException("oom"));

    assertEquals(2, producer.history().size());
    for (ProducerRecord<byte[], byte[]> letter : producer.history()) {
      assertEquals("processing_failed", DeadLetters.header(letter.headers(), DeadLetters.REASON));
    }
    assertEquals(
        List.of("1", "2"),
        producer.history().stream()
            .map(r -> DeadLetters.header(r.headers(), DeadLetters.SOURCE_OFFSET))
            .toList());
  }

  @Test
  void embeddedPhotosBecomeObservationsAndAFailureThereDoesNotStopTheCatalog() {
    try (EmbeddingModel model = EmbeddingModel.create(SPEC, 0, Device.cpu())) {
      float[] pixels = new float[SPEC.imageSize()];
      MirrorEvents.Embedded batch =
          new MirrorEvents.Embedded(
              model,
              pixels,
              List.of(new CatalogItem("item-0", "event-0", 0, pixels)),
              List.of(record(0)),
              model.embed(pixels, 1),
              Collections.singletonList(null),
              0);

      events().embedded(batch);
      assertEquals(Topics.CATALOG_OBSERVATIONS.name(), single().topic());

      producer.close(); // every send now throws
      events().embedded(batch); // logged, not thrown
      assertEquals(List.of(), fatal);
    }
  }

  @Test
  void rebuildsSetTheCatalogSizeAndCountRebuilds() {
    CatalogEvents events = events();
    events.rebuilt(3);
    events.rebuilt(5);

    assertEquals(5, registry.get("advrank.catalog.items").gauge().value());
    assertEquals(2, registry.get("advrank.catalog.index.rebuilds").counter().count());
  }

  @Test
  void loadingMakesItReadyASwapReachesTheFeedAndAFailureIsFatal() {
    CatalogEvents events = events();
    ModelUpdate update =
        new ModelUpdate(AssembledModel.of("v2", "v1", "{}", 1L, new byte[] {1}), false, 1L, true);
    IllegalStateException error = new IllegalStateException("catalog thread died");

    events.loaded(10);
    events.swapped(update);
    events.failed(error);

    assertEquals(1, ready.get());
    assertEquals(List.of(update), swapped);
    assertEquals(1, fatal.size());
    assertSame(error, fatal.get(0));
  }

  private ProducerRecord<byte[], byte[]> single() {
    assertEquals(1, producer.history().size(), "one record sent");
    return producer.history().get(0);
  }

  private static ConsumerRecord<byte[], byte[]> record(long offset) {
    return new ConsumerRecord<>(
        CATALOG,
        0,
        offset,
        1_000L + offset, // the broker's time: observations carry it
        TimestampType.CREATE_TIME,
        1,
        1,
        new byte[] {1},
        new byte[] {2},
        new RecordHeaders(),
        Optional.empty());
  }
}
