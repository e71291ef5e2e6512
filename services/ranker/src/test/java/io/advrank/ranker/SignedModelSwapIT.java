package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.model.WeightsFiles;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.model.AssembledModel;
import io.advrank.runtime.model.ModelKeys;
import io.advrank.runtime.model.ModelSigner;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A ranker with a trusted key, on a real broker and libtorch: it switches to a version that key
 * signed, and refuses (dead letter, {@code reason="signature"}) an unsigned one and one signed by
 * another key while it keeps serving the signed version.
 */
class SignedModelSwapIT {
  private static final Duration TEN = Duration.ofSeconds(10);
  private static final KeyPair RELEASE = ModelKeys.generate();
  private static final KeyPair OTHER = ModelKeys.generate();
  private static EmbeddedKafka kafka;
  private static EmbeddingModel v1;

  @TempDir static Path temp;

  @BeforeAll
  static void start() throws Exception {
    kafka = TestKafka.startWithTopics();
    v1 = EmbeddingModel.load(TestKafka.MODEL, Device.cpu());
  }

  @AfterAll
  static void stop() {
    v1.close();
    kafka.close();
  }

  @Test
  void servesOnlyVersionsATrustedKeySigned() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    RankerSettings s = TestKafka.rankerSettings(kafka, "it-signed");
    RankerSettings trusting =
        new RankerSettings(
            s.modelDir(),
            s.topK(),
            s.queryBatchMax(),
            s.queryBatchWait(),
            s.catalogBatchMax(),
            s.rebuildItems(),
            s.rebuildInterval(),
            s.groupId(),
            s.rankerId(),
            s.metricsPort(),
            s.kafka(),
            s.device(),
            ModelTrust.of(Map.of("release", RELEASE.getPublic())));
    try (RankerService ranker = new RankerService(trusting, v1, Clock.systemUTC(), registry)) {
      ranker.start();
      ModelTopic.publish(
          kafka.bootstrapServers(),
          version("it-signed-2", 2),
          Optional.of(new ModelSigner(RELEASE.getPrivate())),
          TEN);
      awaitVersion(ranker, "it-signed-2");

      ModelTopic.publish(kafka.bootstrapServers(), version("it-unsigned-3", 3), TEN);
      ModelTopic.publish(
          kafka.bootstrapServers(),
          version("it-other-4", 4),
          Optional.of(new ModelSigner(OTHER.getPrivate())),
          TEN);
      List<ConsumerRecord<byte[], byte[]>> letters =
          TestKafka.readUntil(
              kafka, Topics.DEAD_LETTER.name(), r -> r.size() >= 2, Duration.ofSeconds(60));
      assertEquals(2, letters.size());
      assertTrue(
          DeadLetters.header(letters.get(0).headers(), DeadLetters.EXCEPTION_MESSAGE)
              .startsWith("it-unsigned-3: unsigned"));
      assertTrue(
          DeadLetters.header(letters.get(1).headers(), DeadLetters.EXCEPTION_MESSAGE)
              .contains("which is not trusted"));
      assertEquals(
          2.0, registry.get("advrank.model.refused").tag("reason", "signature").counter().count());
      assertEquals("it-signed-2", ranker.modelVersion(), "keeps serving the signed version");
      assertTrue(ranker.failure().isEmpty());
    }
  }

  private static void awaitVersion(RankerService ranker, String version) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!ranker.modelVersion().equals(version) && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(version, ranker.modelVersion());
  }

  /** A fresh C2F1 saved as {@code version}, created now (newer than the shipped model). */
  private static AssembledModel version(String version, long seed) throws Exception {
    ModelSpec spec = ModelSpec.c2f1(1, 28, 28);
    Instant at = Instant.now();
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
}
