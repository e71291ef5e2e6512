package io.advrank.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A consumer with a trusted key, on a real broker: tampered weights, a tampered manifest, a version
 * signed by an unknown key and an unsigned one are each refused, dead-lettered and counted under
 * {@code reason="signature"} while the consumer keeps serving its signed version, and {@code
 * ModelTopic.read} with the same key names the signer.
 */
class SignedModelFeedIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final KeyPair ALICE = ModelKeys.generate();
  private static final KeyPair MALLORY = ModelKeys.generate();
  private static final ModelTrust TRUST = ModelTrust.of(Map.of("alice", ALICE.getPublic()));
  private static EmbeddedKafka kafka;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.createAll(admin, (short) 1, TIMEOUT);
    }
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void refusesEveryBadlySignedVersionAndKeepsServingTheSignedOne() throws Exception {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    List<String> served = new CopyOnWriteArrayList<>();
    ModelSigner alice = new ModelSigner(ALICE.getPrivate());
    ModelTopic.publish(
        kafka.bootstrapServers(), model("good-1", 1000), Optional.of(alice), TIMEOUT);
    ModelFeed<String>[] holder = new ModelFeed[1];
    try (ModelFeed<String> feed =
        new ModelFeed<>(
            "it",
            ModelFeed.clients(kafka.bootstrapServers(), "it"),
            "initial",
            0,
            TRUST,
            AssembledModel::version,
            (version, update) -> {
              served.add(version + " by " + update.source().signer());
              holder[0].served(update);
            },
            registry,
            Clock.systemUTC())) {
      holder[0] = feed;
      feed.start();
      assertTrue(feed.awaitCaughtUp(TIMEOUT));
      assertEquals(List.of("good-1 by alice"), served);

      AssembledModel weights = model("tampered-weights", 2000);
      publishAltered(signedChunks(weights, ALICE), c -> flipWeightsAndForgeSha(c, weights));
      publishAltered(
          signedChunks(model("tampered-manifest", 3000), ALICE),
          c ->
              c.toBuilder().setManifestJson(c.getManifestJson().replace("}", ",\"x\":1}")).build());
      publishAltered(signedChunks(model("unknown-key", 4000), MALLORY), c -> c);
      ModelTopic.publish(kafka.bootstrapServers(), model("unsigned", 5000), TIMEOUT);

      Counter refused =
          registry
              .find("advrank.model.refused")
              .tags("service", "it", "reason", "signature")
              .counter();
      List<ConsumerRecord<byte[], byte[]>> letters = readDeadLetters(4);
      assertEquals(4, refused == null ? 0 : (int) refused.count());
      assertEquals(List.of("good-1 by alice"), served, "still serving the signed version");
      List<String> messages = new ArrayList<>();
      for (ConsumerRecord<byte[], byte[]> r : letters) {
        assertEquals("invalid", DeadLetters.header(r.headers(), DeadLetters.REASON));
        messages.add(DeadLetters.header(r.headers(), DeadLetters.EXCEPTION_MESSAGE));
      }
      assertTrue(messages.get(0).startsWith("tampered-weights: "), messages.get(0));
      assertTrue(messages.get(1).startsWith("tampered-manifest: "), messages.get(1));
      assertTrue(messages.get(2).contains("not trusted"), messages.get(2));
      assertTrue(messages.get(3).startsWith("unsigned: unsigned"), messages.get(3));

      ModelTopic.publish(
          kafka.bootstrapServers(), model("good-2", 6000), Optional.of(alice), TIMEOUT);
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (served.size() < 2 && System.nanoTime() < deadline) {
        Thread.sleep(50);
      }
      assertEquals(List.of("good-1 by alice", "good-2 by alice"), served);
    }

    ModelTopic.History history = ModelTopic.read(kafka.bootstrapServers(), TRUST, TIMEOUT);
    assertEquals(
        List.of("good-1 alice", "good-2 alice"),
        history.versions().stream().map(m -> m.version() + " " + m.signer()).toList());
    assertEquals(
        List.of("tampered-weights", "tampered-manifest", "unknown-key", "unsigned"),
        history.refused().stream().map(ModelAssembler.Refused::version).toList());
    assertTrue(history.refused().stream().allMatch(r -> r.refusal() == Refusal.SIGNATURE));
  }

  private static AssembledModel model(String version, long createdAt) {
    byte[] w = new byte[Topics.MODEL_CHUNK_BYTES + 1000]; // two chunks
    new Random(createdAt).nextBytes(w);
    return AssembledModel.of(version, "", "{\"version\":\"" + version + "\"}", createdAt, w);
  }

  private static List<ModelVersion> signedChunks(AssembledModel m, KeyPair key) {
    return ModelChunks.split(m, new ModelSigner(key.getPrivate()).sign(m));
  }

  /** The last chunk's first byte flipped and every chunk announcing the new sha256. */
  private static ModelVersion flipWeightsAndForgeSha(ModelVersion c, AssembledModel original) {
    byte[] all = original.weights().clone();
    all[Topics.MODEL_CHUNK_BYTES] ^= 1;
    ModelVersion.Builder b = c.toBuilder().setSha256(ModelChunks.sha256(all));
    if (c.getChunkIndex() == 1) {
      b.setWeights(ByteString.copyFrom(all, Topics.MODEL_CHUNK_BYTES, 1000));
    }
    return b.build();
  }

  private static void publishAltered(List<ModelVersion> chunks, UnaryOperator<ModelVersion> alter)
      throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    p.put(ProducerConfig.MAX_REQUEST_SIZE_CONFIG, 2 * 1024 * 1024);
    try (KafkaProducer<String, ModelVersion> producer =
        new KafkaProducer<>(
            p, Topics.MODELS.keySerde().serializer(), Topics.MODELS.valueSerde().serializer())) {
      for (ModelVersion c : chunks) {
        ModelVersion altered = alter.apply(c);
        producer
            .send(
                new ProducerRecord<>(
                    Topics.MODELS.name(),
                    Topics.modelChunkKey(altered.getVersion(), altered.getChunkIndex()),
                    altered))
            .get();
      }
    }
  }

  private static List<ConsumerRecord<byte[], byte[]>> readDeadLetters(int count) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-dead-letters");
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (var consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.DEAD_LETTER.name()));
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (out.size() < count && System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    assertEquals(count, out.size(), "dead letters");
    return out;
  }
}
