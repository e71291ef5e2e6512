package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Bad records on both ranker inputs become dead letters with a reason; the ranker keeps going. */
class RankerDeadLetterIT {
  private static EmbeddedKafka kafka;
  private static EmbeddingModel model;
  private static ImageDataset test;

  @BeforeAll
  static void start() throws Exception {
    kafka = TestKafka.startWithTopics();
    model = EmbeddingModel.load(TestKafka.MODEL, Device.cpu());
    test = DatasetDirectory.load(TestKafka.FIXTURE, DatasetDirectory.Split.TEST);
  }

  @AfterAll
  static void stop() {
    model.close();
    kafka.close();
  }

  @Test
  void malformedInputIsDeadLetteredAndLaterQueriesAreStillAnswered() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (KafkaProducer<byte[], byte[]> out = TestKafka.bytesProducer(kafka);
        RankerService ranker =
            new RankerService(
                TestKafka.rankerSettings(kafka, "it-dlq"), model, Clock.systemUTC(), registry)) {
      String catalog = Topics.CATALOG_DELIVERED.name();
      for (int i = 0; i < 50; i++) {
        send(out, catalog, "item-" + i, event(ImageKind.IMAGE_KIND_CATALOG_ITEM, "item-" + i, i));
      }
      send(out, catalog, "item-bad", new byte[] {0x0A, (byte) 0xFF, 0x7F});
      ranker.start();
      assertTrue(ranker.awaitReady(Duration.ofSeconds(20)), "catalog loaded");

      String queries = Topics.QUERIES_DELIVERED.name();
      send(out, queries, "q-garbage", new byte[] {0x12, 0x05, 0x01});
      send(
          out,
          queries,
          "q-nan",
          withPixel(event(ImageKind.IMAGE_KIND_QUERY, "q-nan", 60), Float.NaN));
      send(
          out, queries, "q-range", withPixel(event(ImageKind.IMAGE_KIND_QUERY, "q-range", 61), 2f));
      send(out, queries, "q-kind", unknownKind(event(ImageKind.IMAGE_KIND_QUERY, "q-kind", 62)));
      send(out, queries, "q-size", smallImage(event(ImageKind.IMAGE_KIND_QUERY, "q-size", 63)));
      send(out, catalog, "item-bad-2", new byte[] {(byte) 0xFF});
      for (int i = 0; i < 5; i++) {
        send(out, queries, "q-ok-" + i, event(ImageKind.IMAGE_KIND_QUERY, "q-ok-" + i, 100 + i));
      }
      out.flush();

      List<ConsumerRecord<byte[], byte[]>> letters =
          TestKafka.readUntil(
              kafka, Topics.DEAD_LETTER.name(), r -> r.size() >= 7, Duration.ofSeconds(20));
      List<ConsumerRecord<byte[], byte[]>> rankings =
          TestKafka.readUntil(
              kafka, Topics.RANKINGS.name(), r -> r.size() >= 5, Duration.ofSeconds(20));

      assertEquals(
          Map.of(
              "item-bad", "malformed",
              "item-bad-2", "malformed",
              "q-garbage", "malformed",
              "q-nan", "invalid",
              "q-range", "invalid",
              "q-kind", "unsupported",
              "q-size", "unsupported"),
          reasons(letters));
      assertEquals(
          List.of("q-ok-0", "q-ok-1", "q-ok-2", "q-ok-3", "q-ok-4"),
          rankings.stream().map(RankerDeadLetterIT::queryId).sorted().toList());
      assertTrue(ranker.failure().isEmpty());
      assertEquals(50, ranker.catalogSize());
      assertEquals(
          7.0,
          registry.get("advrank.dead.letters").counters().stream()
              .mapToDouble(c -> c.count())
              .sum());
    }
  }

  private static Map<String, String> reasons(List<ConsumerRecord<byte[], byte[]>> letters) {
    Map<String, String> out = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> l : letters) {
      out.put(new String(l.key()), DeadLetters.header(l.headers(), DeadLetters.REASON));
    }
    return out;
  }

  private static String queryId(ConsumerRecord<byte[], byte[]> r) {
    RankingResult result =
        Topics.RANKINGS.valueSerde().deserializer().deserialize(r.topic(), r.value());
    return result.getQueryId();
  }

  private static ImageEvent event(ImageKind kind, String id, int index) {
    return ImageEvent.newBuilder()
        .setEventId("e-" + id)
        .setKind(kind)
        .setItemId(id)
        .setLabel(test.label(index))
        .setPixels(PixelCodec.fromFloats(1, 28, 28, test.image(index)))
        .build();
  }

  private static ImageEvent withPixel(ImageEvent e, float value) {
    float[] pixels = PixelCodec.toFloats(e.getPixels());
    pixels[100] = value;
    return e.toBuilder().setPixels(PixelCodec.fromFloats(1, 28, 28, pixels)).build();
  }

  private static ImageEvent unknownKind(ImageEvent e) {
    return e.toBuilder().setKindValue(99).build();
  }

  private static ImageEvent smallImage(ImageEvent e) {
    return e.toBuilder().setPixels(PixelCodec.fromFloats(1, 2, 2, new float[4])).build();
  }

  private static void send(
      KafkaProducer<byte[], byte[]> out, String topic, String key, ImageEvent e) {
    send(out, topic, key, e.toByteArray());
  }

  private static void send(KafkaProducer<byte[], byte[]> out, String topic, String key, byte[] v) {
    out.send(new ProducerRecord<>(topic, key.getBytes(), v));
  }
}
