package io.advrank.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.embedded.SecuredKafka;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.SubjectKind;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.KafkaSecurity;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.ExecutionException;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.GroupAuthorizationException;
import org.apache.kafka.common.errors.TopicAuthorizationException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * On a broker that authorises by ACLs, a console whose principal has exactly {@link ConsoleAcls}
 * (for its default, random group) shows the catalog and alerts over TLS + SCRAM and dead-letters a
 * malformed record; the same principal cannot write a pipeline topic, nor read in a group outside
 * its prefix.
 */
class ConsoleAclIT {
  private static final String USER = "advrank-console";
  private static final String PASSWORD = "console-secret";

  private static SecuredKafka secured;
  private static EmbeddedKafka kafka;
  private static KafkaSecurity security;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    secured = SecuredKafka.withAcls(Map.of(USER, PASSWORD));
    kafka = secured.kafka();
    security =
        KafkaSecurity.scramOverTls(USER, PASSWORD, secured.truststore(), secured.storePassword());
    // An administrator (the plain-text listener is a super user) creates the topics and the ACLs.
    try (Admin admin = secured.superAdmin()) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(60));
    }
    kafka.grant(ConsoleAcls.of(settings(), "User:" + USER));
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
  void showsWhatItReadsAndDeadLettersWithExactlyItsAcls() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      send(producer, Topics.CATALOG.name(), "item-1", photo().toByteArray());
      send(producer, Topics.ALERTS.name(), "q-bad", "not an alert".getBytes());
      send(producer, Topics.ALERTS.name(), "q-1", alert("a-1").toByteArray());
    }
    // A second start gets a new random group: the PREFIXED group ACL covers it too.
    ConsoleSettings settings = settings();
    try (ConsoleService console =
        ConsoleService.create(settings, Clock.systemUTC(), new SimpleMeterRegistry())) {
      console.start();
      JsonObject state = awaitAlert(console);
      assertTrue(console.failure().isEmpty(), () -> "feed failed: " + console.failure());
      assertEquals(
          "a-1",
          state.getAsJsonArray("alerts").get(0).getAsJsonObject().get("alert_id").getAsString());
      assertEquals(1, state.getAsJsonObject("consumed").get(Topics.CATALOG.name()).getAsLong());
    }
    ConsumerRecord<byte[], byte[]> letter = deadLetter();
    assertEquals("q-bad", new String(letter.key(), StandardCharsets.UTF_8));
    assertEquals("malformed", DeadLetters.header(letter.headers(), DeadLetters.REASON));
    System.out.printf(
        "console acl IT: alert shown, 1 dead letter, by %s in group %s with %d ACLs%n",
        USER, settings.groupId(), ConsoleAcls.of(settings, "User:" + USER).size());
  }

  @Test
  void itsPrincipalCannotWriteTheAlerts() throws Exception {
    try (KafkaProducer<byte[], byte[]> producer =
        new KafkaProducer<>(
            ClientProperties.idempotentProducer(kafka.bootstrapServers("SASL_SSL"), "acl-probe"))) {
      ExecutionException e =
          assertThrows(
              ExecutionException.class,
              () ->
                  producer.send(new ProducerRecord<>(Topics.ALERTS.name(), new byte[] {1})).get());
      assertInstanceOf(TopicAuthorizationException.class, e.getCause(), e.toString());
    }
  }

  @Test
  void itsFeedStopsInAGroupOutsideItsPrefix() throws Exception {
    ConsoleSettings other =
        new ConsoleSettings(
            "127.0.0.1",
            0,
            "",
            "advrank-ranker",
            2,
            new KafkaSettings(kafka.bootstrapServers("SASL_SSL"), (short) 1, security),
            Optional.empty(),
            ModelTrust.NONE);
    try (ConsoleService console =
        ConsoleService.create(other, Clock.systemUTC(), new SimpleMeterRegistry())) {
      console.start();
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (console.failure().isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "the feed read in a group it has no ACL for");
        Thread.sleep(100);
      }
      assertInstanceOf(
          GroupAuthorizationException.class,
          console.failure().get(),
          console.failure().get().toString());
    }
  }

  private JsonObject awaitAlert(ConsoleService console) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    JsonObject state;
    do {
      Thread.sleep(100);
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(console.url() + "api/state")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      state = JsonParser.parseString(body).getAsJsonObject();
      boolean shown =
          state.getAsJsonArray("alerts").size() >= 1
              && state.getAsJsonObject("consumed").has(Topics.CATALOG.name());
      if (shown || console.failure().isPresent()) {
        return state;
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the console showed no alert and photo in 60 s: " + state);
  }

  /** The default settings: a new {@code advrank-console-…} group each time. */
  private static ConsoleSettings settings() {
    return new ConsoleSettings(
        "127.0.0.1",
        0,
        "",
        ConsoleSettings.GROUP_PREFIX + Long.toHexString(System.nanoTime()),
        2,
        new KafkaSettings(kafka.bootstrapServers("SASL_SSL"), (short) 1, security),
        Optional.empty(),
        ModelTrust.NONE);
  }

  /** The plain-text listener: a super user, for the test's own records and checks. */
  private static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  private static void send(KafkaProducer<byte[], byte[]> p, String topic, String key, byte[] v) {
    p.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), v));
  }

  private static ConsumerRecord<byte[], byte[]> deadLetter() {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      TopicPartition partition = new TopicPartition(Topics.DEAD_LETTER.name(), 0);
      consumer.assign(List.of(partition));
      consumer.seekToBeginning(List.of(partition));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          return r;
        }
      }
    }
    throw new AssertionError("no dead letter within 20 s");
  }

  private static ImageEvent photo() {
    return ImageEvent.newBuilder()
        .setEventId("e-item-1")
        .setItemId("item-1")
        .setPixels(PixelCodec.fromUint8(1, 28, 28, new byte[28 * 28]))
        .build();
  }

  private static AnomalyAlert alert(String id) {
    return AnomalyAlert.newBuilder()
        .setAlertId(id)
        .setSubjectKind(SubjectKind.SUBJECT_KIND_QUERY)
        .setSubjectId("q")
        .setSignal("query_hijack")
        .setRaisedAtMs(1)
        .build();
  }
}
