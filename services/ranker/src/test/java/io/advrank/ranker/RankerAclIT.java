package io.advrank.ranker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.embedded.SecuredKafka;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.advrank.serving.DeviceChoice;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Clock;
import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a broker that authorises by ACLs, a ranker whose principal has exactly {@link RankerAcls}
 * ranks every delivered query over TLS + SCRAM, and cannot write a topic it has no business with.
 */
class RankerAclIT {
  private static final String USER = "advrank-ranker";
  private static final String PASSWORD = "ranker-secret";
  private static final int CATALOG = 100;
  private static final int QUERIES = 30;

  private static SecuredKafka secured;
  private static EmbeddedKafka kafka;
  private static RankerSettings settings;

  @BeforeAll
  static void start() throws Exception {
    secured = SecuredKafka.withAcls(Map.of(USER, PASSWORD));
    kafka = secured.kafka();
    KafkaSecurity ranker =
        KafkaSecurity.scramOverTls(USER, PASSWORD, secured.truststore(), secured.storePassword());
    settings =
        new RankerSettings(
            TestKafka.MODEL,
            5,
            32,
            Duration.ofMillis(10),
            256,
            50,
            Duration.ofMillis(200),
            "it-acl-rankers",
            "acl-ranker",
            0,
            new KafkaSettings(kafka.bootstrapServers("SASL_SSL"), (short) 1, ranker),
            DeviceChoice.parse("cpu"),
            ModelTrust.NONE);
    // An administrator (the plain-text listener is a super user) creates the topics and the ACLs.
    try (Admin admin = secured.superAdmin()) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(60));
    }
    // grant waits until the broker applies them: a client right after createAcls was refused once.
    kafka.grant(RankerAcls.of(settings, "User:" + USER));
    ClientProperties.useSecurity(ranker);
  }

  @AfterAll
  static void stop() {
    ClientProperties.useSecurity(KafkaSecurity.PLAINTEXT);
    if (secured != null) {
      secured.close();
    }
  }

  @Test
  void ranksEveryQueryWithExactlyItsAcls() throws Exception {
    // What every service's Main does first: with DESCRIBE on advrank.*, it finds every topic.
    try (Admin admin =
        Admin.create(ClientProperties.admin(settings.kafka().bootstrapServers(), "acl-start"))) {
      assertEquals(Set.of(), Topics.createAll(admin, (short) 1, Duration.ofSeconds(60)));
    }
    ImageDataset test = DatasetDirectory.load(TestKafka.FIXTURE, DatasetDirectory.Split.TEST);
    try (KafkaProducer<byte[], byte[]> out = TestKafka.bytesProducer(kafka)) {
      for (int i = 0; i < CATALOG; i++) {
        send(out, Topics.CATALOG_DELIVERED.name(), event(test, false, "item-" + i, i));
      }
    }
    try (RankerService ranker =
        RankerService.create(settings, Clock.systemUTC(), new SimpleMeterRegistry())) {
      ranker.start();
      assertTrue(ranker.awaitReady(Duration.ofSeconds(60)), "catalog loaded with its ACLs only");
      try (KafkaProducer<byte[], byte[]> out = TestKafka.bytesProducer(kafka)) {
        for (int i = 0; i < QUERIES; i++) {
          send(out, Topics.QUERIES_DELIVERED.name(), event(test, true, "q-" + i, CATALOG + i));
        }
      }
      Set<String> ranked = new HashSet<>();
      TestKafka.readUntil(
              kafka, Topics.RANKINGS.name(), r -> r.size() >= QUERIES, Duration.ofSeconds(120))
          .forEach(
              r -> {
                RankingResult result =
                    Topics.RANKINGS.valueSerde().deserializer().deserialize(r.topic(), r.value());
                ranked.add(result.getQueryEventId());
              });
      assertTrue(ranker.failure().isEmpty(), () -> "ranker failed: " + ranker.failure());
      assertEquals(QUERIES, ranked.size(), "every query ranked");
      System.out.printf(
          "ranker acl IT: %d queries ranked by %s with %d ACLs%n",
          ranked.size(), USER, RankerAcls.of(settings, "User:" + USER).size());
    }
  }

  @Test
  void itsPrincipalCannotWriteTheDeliveredQueries() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            ClientProperties.idempotentProducer(kafka.bootstrapServers("SASL_SSL"), "acl-probe"))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer
                      .send(new ProducerRecord<>(Topics.QUERIES_DELIVERED.name(), new byte[] {1}))
                      .get());
      assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
    }
  }

  private static ImageEvent event(ImageDataset test, boolean query, String id, int index) {
    return ImageEvent.newBuilder()
        .setEventId("e-" + id)
        .setKind(query ? ImageKind.IMAGE_KIND_QUERY : ImageKind.IMAGE_KIND_CATALOG_ITEM)
        .setItemId(id)
        .setLabel(test.label(index))
        .setPixels(PixelCodec.fromFloats(1, 28, 28, test.image(index)))
        .build();
  }

  private static void send(KafkaProducer<byte[], byte[]> out, String topic, ImageEvent e) {
    out.send(new ProducerRecord<>(topic, e.getItemId().getBytes(), e.toByteArray()));
  }
}
