package io.advrank.defensetrainer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.attack.AttackProfile;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.embedded.SecuredKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.ModelDecision;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.model.ModelSigning;
import io.advrank.runtime.model.ModelTopic;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.advrank.serving.DeviceChoice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a broker that authorises by ACLs, a defense-trainer whose principal has exactly {@link
 * DefenseTrainerAcls} learns from the catalog over TLS + SCRAM, reports its gate decision,
 * publishes the version that passes, dead-letters garbage, and cannot write a topic it has no
 * business with. The settings are {@code DefenseTrainerIT}'s lightest (batch 8, 2 steps between
 * evaluations, 60 held-out images, 8 probe items).
 */
class DefenseTrainerAclIT {
  private static final String USER = "advrank-defense-trainer";
  private static final String PASSWORD = "trainer-secret";

  private static SecuredKafka secured;
  private static EmbeddedKafka kafka;
  private static KafkaSecurity security;
  private static DefenseTrainerSettings settings;

  @BeforeAll
  static void start() throws Exception {
    secured = SecuredKafka.withAcls(Map.of(USER, PASSWORD));
    kafka = secured.kafka();
    security =
        KafkaSecurity.scramOverTls(USER, PASSWORD, secured.truststore(), secured.storePassword());
    settings =
        new DefenseTrainerSettings(
            DefenseTrainerIT.MODEL,
            8,
            1e-4f,
            0.3,
            10,
            AttackProfile.PAPER,
            "est",
            0,
            0,
            0.2f,
            0,
            256,
            60,
            8,
            2,
            Duration.ofMinutes(5),
            1.0, // a permissive gate: the first candidate passes and is published
            -100.0,
            GateMetric.ROBUSTNESS,
            "it-acl",
            "it-acl-trainer",
            "it-acl-trainer",
            0,
            new KafkaSettings(kafka.bootstrapServers("SASL_SSL"), (short) 1, security),
            DeviceChoice.parse("cpu"),
            ModelSigning.NONE);
    // An administrator (the plain-text listener is a super user) creates the topics and the ACLs.
    try (Admin admin = secured.superAdmin()) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(60));
    }
    kafka.grant(DefenseTrainerAcls.of(settings, "User:" + USER));
    ClientProperties.useSecurity(security);
  }

  @AfterAll
  static void stop() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    if (secured != null) {
      secured.close();
    }
  }

  @Test
  void trainsDecidesAndPublishesWithExactlyItsAcls() throws Exception {
    // What every service's Main does first: with DESCRIBE on advrank.*, it finds every topic.
    try (Admin admin =
        Admin.create(ClientProperties.admin(settings.kafka().bootstrapServers(), "acl-start"))) {
      assertEquals(Set.of(), Topics.createAll(admin, (short) 1, Duration.ofSeconds(60)));
    }
    ImageDataset test =
        DatasetDirectory.load(DefenseTrainerIT.FIXTURE, DatasetDirectory.Split.TEST);
    try (KafkaProducer<byte[], byte[]> out = producer()) {
      out.send(new ProducerRecord<>(Topics.CATALOG.name(), "garbage".getBytes(), new byte[] {-1}));
      for (int i = 0; i < 400; i++) {
        ImageEvent e =
            ImageEvent.newBuilder()
                .setEventId("e-" + i)
                .setKind(ImageKind.IMAGE_KIND_CATALOG_ITEM)
                .setItemId("item-" + i)
                .setLabel(test.label(i))
                .setPixels(PixelCodec.fromFloats(1, 28, 28, test.image(i)))
                .build();
        out.send(
            new ProducerRecord<>(Topics.CATALOG.name(), e.getItemId().getBytes(), e.toByteArray()));
      }
    }
    try (DefenseTrainerService trainer =
        new DefenseTrainerService(settings, Clock.systemUTC(), new SimpleMeterRegistry())) {
      trainer.start();
      ModelDecision first =
          read(
                  Topics.MODEL_DECISIONS.name(),
                  r -> !r.isEmpty() || trainer.failure().isPresent(),
                  Duration.ofMinutes(4))
              .stream()
              .map(
                  r ->
                      Topics.MODEL_DECISIONS
                          .valueSerde()
                          .deserializer()
                          .deserialize(r.topic(), r.value()))
              .findFirst()
              .orElseThrow(() -> new AssertionError("trainer failed: " + trainer.failure()));
      assertTrue(trainer.failure().isEmpty(), () -> "trainer failed: " + trainer.failure());
      assertTrue(first.getPublished(), first.getReason());
      // Read back as the trainer's principal: READ on advrank.models, no group needed.
      ModelTopic.History history =
          ModelTopic.read(settings.kafka().bootstrapServers(), Duration.ofSeconds(30));
      assertTrue(
          history.versions().stream()
              .anyMatch(v -> v.version().equals(first.getCandidateVersion())),
          () -> first.getCandidateVersion() + " not on " + Topics.MODELS);
      var letters = read(Topics.DEAD_LETTER.name(), r -> !r.isEmpty(), Duration.ofSeconds(30));
      assertEquals("malformed", DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON));
      System.out.printf(
          "defense-trainer acl IT: %s published, %d dead letter, by %s with %d ACLs%n",
          first.getCandidateVersion(),
          letters.size(),
          USER,
          DefenseTrainerAcls.of(settings, "User:" + USER).size());
    }
  }

  @Test
  void itsPrincipalCannotWriteTheRankings() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            ClientProperties.idempotentProducer(kafka.bootstrapServers("SASL_SSL"), "acl-probe"))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer
                      .send(new ProducerRecord<>(Topics.RANKINGS.name(), new byte[] {1}))
                      .get());
      assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
    }
  }

  /** The plain-text listener: a super user, for the test's own records and checks. */
  private static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(
      String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long deadline = System.nanoTime() + timeout.toNanos();
      while (!done.test(out)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out reading " + topic + "; got " + out.size());
        }
        c.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }
}
