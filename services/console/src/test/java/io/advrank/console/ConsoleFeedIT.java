package io.advrank.console;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.SubjectKind;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.model.ModelTrust;
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
import java.util.Optional;
import java.util.Properties;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The console against a real embedded broker: it reads the catalog from the beginning and events
 * from the end minus its look-back, serves what it read, and dead-letters a malformed record
 * without stopping.
 */
class ConsoleFeedIT {
  private static EmbeddedKafka kafka;
  private static KafkaProducer<byte[], byte[]> producer;
  private final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void startBroker() throws Exception {
    kafka = EmbeddedKafka.start();
    try (var admin =
        org.apache.kafka.clients.admin.Admin.create(
            ClientProperties.admin(kafka.bootstrapServers(), "console-it-admin"))) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
    }
    producer =
        new KafkaProducer<>(
            ClientProperties.idempotentProducer(kafka.bootstrapServers(), "console-it"));
  }

  @AfterAll
  static void stopBroker() {
    producer.close();
    kafka.close();
  }

  @Test
  void readsStateFromTheStartEventsFromTheLookBackAndDeadLettersMalformedRecords()
      throws Exception {
    send(Topics.CATALOG.name(), "item-1", photo("e-item-1").toByteArray());
    for (int i = 0; i < 5; i++) {
      send(Topics.ALERTS.name(), "q-" + i, alert("old-" + i).toByteArray());
    }
    producer.flush();
    ConsoleSettings settings =
        new ConsoleSettings(
            "127.0.0.1",
            0,
            "",
            "console-it",
            2,
            new KafkaSettings(kafka.bootstrapServers(), (short) 1),
            Optional.empty(),
            ModelTrust.NONE);
    try (ConsoleService console =
        ConsoleService.create(settings, Clock.systemUTC(), new SimpleMeterRegistry())) {
      console.start();
      // The catalog from its beginning; of the 5 alerts written before the start, the last 2.
      JsonObject state =
          await(
              console,
              s ->
                  consumed(s, Topics.ALERTS.name()) >= 2
                      && consumed(s, Topics.CATALOG.name()) >= 1);
      assertEquals(2, consumed(state, Topics.ALERTS.name()));
      send(Topics.ALERTS.name(), "q-bad", "not an alert".getBytes(StandardCharsets.UTF_8));
      send(Topics.ALERTS.name(), "q-new", alert("new").toByteArray());
      producer.flush();
      state = await(console, s -> s.getAsJsonArray("alerts").size() == 3);
      assertEquals(4, consumed(state, Topics.ALERTS.name()));
      List<String> ids =
          state.getAsJsonArray("alerts").asList().stream()
              .map(a -> a.getAsJsonObject().get("alert_id").getAsString())
              .toList();
      assertEquals(List.of("new", "old-4", "old-3"), ids);
      assertTrue(console.failure().isEmpty());
      HttpResponse<byte[]> image =
          http.send(
              HttpRequest.newBuilder(URI.create(console.url() + "img/item?id=item-1")).build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, image.statusCode());
      assertEquals("image/png", image.headers().firstValue("Content-Type").orElse(""));
    }
    ConsumerRecord<byte[], byte[]> letter = deadLetter();
    assertEquals("q-bad", new String(letter.key(), StandardCharsets.UTF_8));
    assertEquals("malformed", DeadLetters.header(letter.headers(), DeadLetters.REASON));
    assertEquals("console", DeadLetters.header(letter.headers(), DeadLetters.SERVICE));
  }

  private JsonObject await(ConsoleService console, Predicate<JsonObject> done) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonObject state;
    do {
      Thread.sleep(100);
      String body =
          http.send(
                  HttpRequest.newBuilder(URI.create(console.url() + "api/state")).build(),
                  HttpResponse.BodyHandlers.ofString())
              .body();
      state = JsonParser.parseString(body).getAsJsonObject();
      if (done.test(state)) {
        return state;
      }
    } while (System.nanoTime() < deadline);
    throw new AssertionError("the console did not get there in 30 s: " + state);
  }

  private static long consumed(JsonObject state, String topic) {
    JsonObject consumed = state.getAsJsonObject("consumed");
    return consumed.has(topic) ? consumed.get(topic).getAsLong() : 0;
  }

  private static ConsumerRecord<byte[], byte[]> deadLetter() {
    Properties props = ClientProperties.byteConsumer(kafka.bootstrapServers(), "dlq-reader", true);
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(props)) {
      TopicPartition p = new TopicPartition(Topics.DEAD_LETTER.name(), 0);
      consumer.assign(List.of(p));
      consumer.seekToBeginning(List.of(p));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(200))) {
          return r;
        }
      }
    }
    throw new AssertionError("no dead letter within 20 s");
  }

  private static void send(String topic, String key, byte[] value) {
    producer.send(new ProducerRecord<>(topic, key.getBytes(StandardCharsets.UTF_8), value));
  }

  private static ImageEvent photo(String eventId) {
    return ImageEvent.newBuilder()
        .setEventId(eventId)
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
