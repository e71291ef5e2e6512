package io.advrank.producer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.apache.kafka.clients.producer.MockProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The producer's whole schedule on a fake clock against a {@link MockProducer}: no broker. */
class ProducerServiceTest {
  static final Path FIXTURE = Path.of("../core/src/test/resources/fixtures/fashion-mnist-mini");
  private static ImageDataset test;

  @BeforeAll
  static void loadFixture() throws Exception {
    test = DatasetDirectory.load(FIXTURE, DatasetDirectory.Split.TEST);
  }

  private static ProducerSettings settings(long seed, boolean heldOut) {
    return new ProducerSettings(
        FIXTURE,
        20,
        0,
        10,
        15,
        Duration.ZERO,
        heldOut,
        seed,
        "p-0",
        0,
        new KafkaSettings("h:1", (short) 1),
        ImageShape.FASHION_MNIST,
        ImageEncoding.SOURCE);
  }

  private record Run(List<ProducerRecord<String, ImageEvent>> sent, SimpleMeterRegistry registry) {
    List<ImageEvent> values(String topic) {
      return sent.stream().filter(r -> r.topic().equals(topic)).map(ProducerRecord::value).toList();
    }
  }

  private static Run run(ProducerSettings settings) throws InterruptedException {
    TestClock clock = new TestClock(1_000_000);
    MockProducer<String, ImageEvent> producer =
        new MockProducer<>(
            true,
            null,
            Topics.CATALOG.keySerde().serializer(),
            Topics.CATALOG.valueSerde().serializer());
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ProducerService service =
        new ProducerService(settings, test, producer, clock, clock::advance, registry);
    service.start();
    assertTrue(service.awaitCompletion(Duration.ofSeconds(10)), "schedule finished");
    List<ProducerRecord<String, ImageEvent>> history = producer.history();
    service.close();
    return new Run(history, registry);
  }

  @Test
  void sendsTheCatalogOnceThenPacedQueriesWithClockTimestamps() throws InterruptedException {
    Run run = run(settings(1, false));

    List<ImageEvent> catalog = run.values(Topics.CATALOG.name());
    List<ImageEvent> queries = run.values(Topics.QUERIES.name());
    assertEquals(20, catalog.size());
    assertEquals(15, queries.size());
    for (int i = 0; i < catalog.size(); i++) {
      ImageEvent item = catalog.get(i);
      assertEquals("item-" + i, item.getItemId());
      assertEquals(ImageKind.IMAGE_KIND_CATALOG_ITEM, item.getKind());
      assertEquals(test.label(i), item.getLabel());
      assertEquals(1_000_000, item.getProducedAtMs());
      assertArrayEqualsPixels(test.image(i), PixelCodec.toFloats(item.getPixels()));
    }
    for (int q = 0; q < queries.size(); q++) {
      ImageEvent query = queries.get(q);
      assertEquals(ImageKind.IMAGE_KIND_QUERY, query.getKind());
      assertEquals(1_000_000 + 100L * q, query.getProducedAtMs(), "10 queries/s");
      int index = (int) query.getSource().getIndex();
      assertEquals(test.label(index), query.getLabel());
    }
    assertEquals(20, counted(run, Topics.CATALOG.name()));
    assertEquals(15, counted(run, Topics.QUERIES.name()));
  }

  @Test
  void sameSeedGivesTheSameEventsAndAnotherSeedOtherQueries() throws InterruptedException {
    List<ImageEvent> a = run(settings(5, false)).values(Topics.QUERIES.name());
    List<ImageEvent> b = run(settings(5, false)).values(Topics.QUERIES.name());
    List<ImageEvent> c = run(settings(6, false)).values(Topics.QUERIES.name());

    assertEquals(a, b);
    assertNotEquals(
        a.stream().map(e -> e.getSource().getIndex()).toList(),
        c.stream().map(e -> e.getSource().getIndex()).toList());
    assertEquals(15, a.stream().map(ImageEvent::getEventId).distinct().count());
    assertTrue(
        c.stream().noneMatch(e -> a.stream().anyMatch(x -> x.getEventId().equals(e.getEventId()))));
  }

  @Test
  void heldOutQueriesNeverShowACatalogImage() throws InterruptedException {
    List<ImageEvent> queries = run(settings(2, true)).values(Topics.QUERIES.name());

    assertTrue(queries.stream().allMatch(e -> e.getSource().getIndex() >= 20));
  }

  @Test
  void refusesHeldOutQueriesWhenTheCatalogIsTheWholeSplit() {
    ProducerSettings all =
        new ProducerSettings(
            FIXTURE,
            0,
            0,
            10,
            1,
            Duration.ZERO,
            true,
            0,
            "p-0",
            0,
            new KafkaSettings("h:1", (short) 1),
            ImageShape.FASHION_MNIST,
            ImageEncoding.SOURCE);

    SettingsException e =
        assertThrows(
            SettingsException.class,
            () ->
                new ProducerService(
                    all,
                    test,
                    new MockProducer<>(),
                    new TestClock(0),
                    ms -> {},
                    new SimpleMeterRegistry()));
    assertTrue(e.getMessage().contains("query.held-out"), e.getMessage());
  }

  private static double counted(Run run, String topic) {
    return run.registry().get("advrank.events.produced").tag("topic", topic).counter().count();
  }

  private static void assertArrayEqualsPixels(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length);
    for (int i = 0; i < expected.length; i++) {
      assertEquals(expected[i], actual[i], 0f, "pixel " + i);
    }
  }
}
