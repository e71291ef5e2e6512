package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import com.google.protobuf.ByteString;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.model.WeightsFiles;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelChunks;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hot swap through a real broker: a version published on advrank.models while queries stream in is
 * served without losing or repeating a query, and every ranking is computed entirely with the
 * version it is stamped with; bad versions are refused with a dead letter while the ranker keeps
 * serving; an activation rolls back to an older version.
 */
class ModelHotSwapIT {
  private static final int CATALOG = 50;
  private static final int QUERIES = 240;
  private static EmbeddedKafka kafka;
  private static EmbeddingModel v1;
  private static ImageDataset test;

  @TempDir static Path temp;

  @BeforeAll
  static void start() throws Exception {
    kafka = TestKafka.startWithTopics();
    v1 = EmbeddingModel.load(TestKafka.MODEL, Device.cpu());
    test = DatasetDirectory.load(TestKafka.FIXTURE, DatasetDirectory.Split.TEST);
  }

  @AfterAll
  static void stop() {
    v1.close();
    kafka.close();
  }

  @Test
  void swapsUnderLoadRefusesBadVersionsAndRollsBack() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    AssembledModel v2 = version("it-v2", ModelSpec.c2f1(1, 28, 28), 7, Instant.now());
    try (KafkaProducer<byte[], byte[]> out = TestKafka.bytesProducer(kafka);
        RankerService ranker =
            new RankerService(
                TestKafka.rankerSettings(kafka, "it-swap"), v1, Clock.systemUTC(), registry);
        EmbeddingModel v2Model = load(v2)) {
      for (int i = 0; i < CATALOG; i++) {
        send(out, Topics.CATALOG_DELIVERED.name(), "item-" + i, event(false, "item-" + i, i));
      }
      out.flush();
      ranker.start();
      assertTrue(ranker.awaitReady(Duration.ofSeconds(30)), "catalog loaded");

      // Queries stream in; v2 is published a third of the way through.
      for (int q = 0; q < QUERIES; q++) {
        send(out, Topics.QUERIES_DELIVERED.name(), "q-" + q, event(true, "q-" + q, 100 + q));
        if (q == QUERIES / 3) {
          out.flush();
          ModelTopic.publish(kafka.bootstrapServers(), v2, Duration.ofSeconds(10));
        }
        Thread.sleep(15);
      }
      out.flush();
      awaitVersion(ranker, "it-v2");
      List<RankingResult> rankings = rankings(r -> r.size() >= QUERIES, Duration.ofSeconds(60));
      Thread.sleep(1000); // anything repeated would arrive now
      rankings = rankings(r -> false, Duration.ofSeconds(2));

      Set<String> answered = new TreeSet<>();
      rankings.forEach(r -> answered.add(r.getQueryId()));
      assertEquals(QUERIES, answered.size(), "no query lost");
      assertEquals(QUERIES, rankings.size(), "no query answered twice");
      Map<String, Integer> byVersion = new HashMap<>();
      rankings.forEach(r -> byVersion.merge(r.getModelVersion(), 1, Integer::sum));
      assertTrue(byVersion.getOrDefault("fmnist-c2f1-v1", 0) > 0, "before: " + byVersion);
      assertTrue(byVersion.getOrDefault("it-v2", 0) > 0, "after: " + byVersion);
      assertEquals(2, byVersion.size(), byVersion.toString());
      for (RankingResult r : rankings) {
        EmbeddingModel m = r.getModelVersion().equals("it-v2") ? v2Model : v1;
        assertRankedWith(m, r);
      }

      // Bad versions are refused; the ranker keeps serving it-v2.
      publishTruncated(version("it-trunc", ModelSpec.c2f1(1, 28, 28), 8, Instant.now()));
      publishTampered(version("it-tampered", ModelSpec.c2f1(1, 28, 28), 9, Instant.now()));
      ModelTopic.publish(
          kafka.bootstrapServers(),
          version("it-32px", ModelSpec.c2f1(1, 32, 32), 10, Instant.now()),
          Duration.ofSeconds(10));
      ModelTopic.publish(
          kafka.bootstrapServers(),
          version("it-old", ModelSpec.c2f1(1, 28, 28), 11, Instant.parse("2020-01-01T00:00:00Z")),
          Duration.ofSeconds(10));
      assertEquals(
          Map.of(
              "it-trunc", "invalid",
              "it-tampered", "invalid",
              "it-32px", "unsupported",
              "it-old", "unsupported"),
          deadLettersByVersion(4));
      for (String reason : List.of("truncated", "tampered", "incompatible", "older")) {
        assertEquals(
            1.0,
            registry.get("advrank.model.refused").tag("reason", reason).counter().count(),
            reason);
      }
      assertEquals("it-v2", ranker.modelVersion());
      assertTrue(ranker.failure().isEmpty());

      // An explicit activation rolls back to the older version.
      ModelTopic.activate(kafka.bootstrapServers(), "it-old", Instant.now().toEpochMilli(), TEN);
      awaitVersion(ranker, "it-old");
      awaitInfoSeries(registry, "it-old");
      assertEquals(
          1.0,
          registry
              .get("advrank.model.version.info")
              .tag("model_version", "it-old")
              .gauge()
              .value());
      assertEquals(
          null,
          registry.find("advrank.model.version.info").tag("model_version", "it-v2").gauge(),
          "one info series: the version served");
    }

    // A ranker started now replays the topic and comes up on the rolled-back version.
    try (RankerService late =
        new RankerService(
            TestKafka.rankerSettings(kafka, "it-late"),
            v1,
            Clock.systemUTC(),
            new SimpleMeterRegistry())) {
      late.start();
      assertTrue(late.awaitReady(Duration.ofSeconds(30)));
      awaitVersion(late, "it-old");
    }
  }

  private static final Duration TEN = Duration.ofSeconds(10);
  private static final Map<EmbeddingModel, Embeddings> CATALOG_EMBEDDINGS = new HashMap<>();

  /** The ranking's top hit and distance are what {@code m} gives over the catalog. */
  private static void assertRankedWith(EmbeddingModel m, RankingResult r) {
    int q = Integer.parseInt(r.getQueryId().substring(2));
    float[] query = m.embed(test.image(100 + q), 1).row(0);
    Embeddings catalog =
        CATALOG_EMBEDDINGS.computeIfAbsent(
            m,
            model -> {
              float[] pixels = new float[CATALOG * 784];
              for (int i = 0; i < CATALOG; i++) {
                System.arraycopy(test.image(i), 0, pixels, i * 784, 784);
              }
              return model.embed(pixels, CATALOG);
            });
    float best = Float.MAX_VALUE;
    for (int i = 0; i < CATALOG; i++) {
      float dot = 0;
      float[] row = catalog.row(i);
      for (int d = 0; d < row.length; d++) {
        dot += row[d] * query[d];
      }
      best = Math.min(best, 1 - dot);
    }
    assertEquals(
        best, r.getHits(0).getDistance(), 1e-4, r.getQueryId() + " " + r.getModelVersion());
  }

  private static void awaitVersion(RankerService ranker, String version) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!ranker.modelVersion().equals(version) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(version, ranker.modelVersion());
  }

  /**
   * Waits for the info series of {@code version}: the service announces a version just after it
   * switches to it, so {@link RankerService#modelVersion()} can be ahead of the metric for a
   * moment.
   */
  private static void awaitInfoSeries(MeterRegistry registry, String version) throws Exception {
    long deadline = System.nanoTime() + TEN.toNanos();
    while (registry.find("advrank.model.version.info").tag("model_version", version).gauge() == null
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
  }

  /** A fresh C2F1 of {@code spec} saved with {@code version}, as it travels on the topic. */
  private static AssembledModel version(String version, ModelSpec spec, long seed, Instant at)
      throws Exception {
    Path dir = temp.resolve(version);
    try (EmbeddingModel m = EmbeddingModel.create(spec, seed, Device.cpu())) {
      ModelManifest written =
          m.save(
              dir,
              new ModelManifest(
                  1,
                  version,
                  "fmnist-c2f1-v1",
                  spec,
                  0,
                  null,
                  null,
                  null,
                  at.toString(),
                  Map.of(),
                  Map.of(),
                  null));
      return AssembledModel.of(
          version,
          "fmnist-c2f1-v1",
          written.toJson(),
          at.toEpochMilli(),
          WeightsFiles.read(dir, written.weightsFile()));
    }
  }

  private static EmbeddingModel load(AssembledModel m) throws Exception {
    return EmbeddingModel.load(
        ModelManifest.fromJson(m.manifestJson(), m.version()),
        m.weights(),
        m.version(),
        Device.cpu());
  }

  /** Only the first half of the chunks: the next version's first chunk reveals the gap. */
  private static void publishTruncated(AssembledModel m) throws Exception {
    List<ModelVersion> chunks = ModelChunks.split(m);
    sendChunks(chunks.subList(0, chunks.size() / 2));
  }

  private static void publishTampered(AssembledModel m) throws Exception {
    List<ModelVersion> chunks = new ArrayList<>(ModelChunks.split(m));
    ModelVersion last = chunks.get(chunks.size() - 1);
    byte[] w = last.getWeights().toByteArray();
    w[w.length / 2] ^= 0x40;
    chunks.set(chunks.size() - 1, last.toBuilder().setWeights(ByteString.copyFrom(w)).build());
    sendChunks(chunks);
  }

  private static void sendChunks(List<ModelVersion> chunks) throws Exception {
    try (KafkaProducer<byte[], byte[]> out = TestKafka.bytesProducer(kafka)) {
      for (ModelVersion c : chunks) {
        String key = Topics.modelChunkKey(c.getVersion(), c.getChunkIndex());
        out.send(new ProducerRecord<>(Topics.MODELS.name(), key.getBytes(), c.toByteArray())).get();
      }
    }
  }

  /** Reason of each dead letter, by the refused version its message names first. */
  private static Map<String, String> deadLettersByVersion(int n) {
    Map<String, String> out = new HashMap<>();
    for (ConsumerRecord<byte[], byte[]> l :
        TestKafka.readUntil(
            kafka, Topics.DEAD_LETTER.name(), r -> r.size() >= n, Duration.ofSeconds(60))) {
      String message = DeadLetters.header(l.headers(), DeadLetters.EXCEPTION_MESSAGE);
      out.put(
          message.substring(0, message.indexOf(':')),
          DeadLetters.header(l.headers(), DeadLetters.REASON));
    }
    return out;
  }

  private static List<RankingResult> rankings(
      Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
    return TestKafka.readUntil(kafka, Topics.RANKINGS.name(), done, timeout).stream()
        .map(r -> Topics.RANKINGS.valueSerde().deserializer().deserialize(r.topic(), r.value()))
        .toList();
  }

  private static ImageEvent event(boolean query, String id, int index) {
    return ImageEvent.newBuilder()
        .setEventId("e-" + id)
        .setKind(query ? ImageKind.IMAGE_KIND_QUERY : ImageKind.IMAGE_KIND_CATALOG_ITEM)
        .setItemId(id)
        .setLabel(test.label(index))
        .setPixels(PixelCodec.fromFloats(1, 28, 28, test.image(index)))
        .build();
  }

  private static void send(
      KafkaProducer<byte[], byte[]> out, String topic, String key, ImageEvent e) {
    out.send(new ProducerRecord<>(topic, key.getBytes(), e.toByteArray()));
  }
}
