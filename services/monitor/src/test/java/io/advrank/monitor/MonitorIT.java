package io.advrank.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.detection.DetectorThresholds;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.ModelVersion;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.InetAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The monitor on a real broker: exactly-once alerts, dead letters, restart, HTTP queries. */
class MonitorIT {
  private static final HttpAccess TOKEN_ACCESS =
      new HttpAccess(InetAddress.getLoopbackAddress(), Optional.of("monitor-it-token-0123456789"));
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static EmbeddedKafka kafka;

  @TempDir static Path stateDir;

  @BeforeAll
  static void startBroker() {
    kafka = EmbeddedKafka.start();
    try (Admin admin =
        Admin.create(
            Map.of(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers()))) {
      Topics.createAll(admin, (short) 1, Duration.ofSeconds(30));
    }
  }

  @AfterAll
  static void stopBroker() {
    kafka.close();
  }

  @Test
  void alertsOnceAcrossARestartDeadLettersGarbageAndAnswersQueries() throws Exception {
    MonitorSettings settings = settings();
    long t0 = System.currentTimeMillis();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(record("garbage", new byte[] {(byte) 0xff, 0x01}, t0));
      for (int i = 0; i < 20; i++) {
        producer.send(ranking("q-" + i, 0.01 + 0.001 * i, t0 + i));
      }
      producer.send(ranking("q-hijacked", 0.5, t0 + 100));
    }
    try (MonitorService monitor = MonitorService.create(settings, new SimpleMeterRegistry());
        MonitorQueries queries = MonitorQueries.start(TOKEN_ACCESS, 0, monitor)) {
      monitor.start();
      List<AnomalyAlert> alerts = readAlerts(a -> !subjects(a, "q-").isEmpty());
      assertEquals(List.of("q-hijacked"), subjects(alerts, "q-"));

      var letters = read(Topics.DEAD_LETTER.name(), r -> !r.isEmpty());
      assertEquals(1, letters.size());
      assertEquals("malformed", DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON));
      assertEquals("monitor", DeadLetters.header(letters.get(0).headers(), DeadLetters.SERVICE));

      URI alertsUri = URI.create("http://localhost:" + queries.port() + "/alerts?limit=5");
      HttpResponse<String> anonymous =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(alertsUri).build(), HttpResponse.BodyHandlers.ofString());
      assertEquals(401, anonymous.statusCode(), "http.token set: the queries need it");
      HttpResponse<String> answer =
          HttpClient.newHttpClient()
              .send(
                  HttpRequest.newBuilder(alertsUri)
                      .header("Authorization", "Bearer " + TOKEN_ACCESS.token().orElseThrow())
                      .build(),
                  HttpResponse.BodyHandlers.ofString());
      assertEquals(200, answer.statusCode());
      assertTrue(answer.body().contains("\"subject_id\": \"q-hijacked\""), answer.body());
    }

    // A restarted monitor keeps its calibration and remembers the alert it already raised.
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      producer.send(ranking("q-hijacked", 0.6, t0 + 200)); // same window: a repeat
      producer.send(ranking("q-second", 0.4, t0 + 300));
    }
    try (MonitorService monitor = MonitorService.create(settings, new SimpleMeterRegistry())) {
      monitor.start();
      List<AnomalyAlert> alerts = readAlerts(a -> subjects(a, "q-").contains("q-second"));
      assertEquals(List.of("q-hijacked", "q-second"), subjects(alerts, "q-"));
    }
  }

  @Test
  void alertsOnTheFirstRankingsOfVersionsWhoseManifestsHaveThresholds(@TempDir Path dir)
      throws Exception {
    // The base version's manifest on disk (model.dir), a later version's on advrank.models.
    ModelManifest base =
        new ModelManifest(
                ModelManifest.FORMAT_VERSION,
                "v-base",
                null,
                ModelSpec.c2f1(1, 28, 28),
                0,
                "weights.bin",
                "float16",
                "00",
                "2026-12-04T00:00:00Z",
                Map.of(),
                Map.of(),
                null)
            .withDetection(new DetectorThresholds(0.3, 0.3, 0.05, 100, null));
    Files.writeString(dir.resolve(ModelManifest.FILE_NAME), base.toJson());
    String later =
        base.toJson()
            .replace("\"v-base\"", "\"v-later\"")
            .replace("\"queryHijack\": 0.3", "\"queryHijack\": 0.2");
    long t0 = System.currentTimeMillis();
    try (KafkaProducer<byte[], byte[]> producer = producer()) {
      ModelVersion v =
          ModelVersion.newBuilder()
              .setVersion("v-later")
              .setManifestJson(later)
              .setChunkCount(1)
              .build();
      producer.send(
          new ProducerRecord<>(Topics.MODELS.name(), "v-later/0".getBytes(), v.toByteArray()));
      producer.send(ranking("m-base-benign", 0.25, t0, "v-base"));
      producer.send(ranking("m-base-hijacked", 0.35, t0 + 1, "v-base"));
      producer.send(ranking("m-later-benign", 0.15, t0 + 2, "v-later"));
    }
    MonitorSettings live = settings();
    MonitorSettings settings =
        new MonitorSettings(
            "monitor-it-manifest",
            live.window(),
            live.calibrationEvents(),
            live.calibrationWindows(),
            live.falsePositiveRate(),
            live.driftFalsePositiveRate(),
            live.driftAlpha(),
            live.alertRetentionWindows(),
            dir.resolve("state"),
            0,
            0,
            live.kafka(),
            MonitorSettings.SOURCE_MANIFEST,
            dir);
    try (MonitorService monitor = MonitorService.create(settings, new SimpleMeterRegistry())) {
      monitor.start();
      long deadline = System.nanoTime() + TIMEOUT.toNanos();
      while (monitor.thresholds().of("v-later").isEmpty()) {
        assertTrue(System.nanoTime() < deadline, "v-later's thresholds never read");
        Thread.sleep(100);
      }
      try (KafkaProducer<byte[], byte[]> producer = producer()) {
        producer.send(ranking("m-later-hijacked", 0.25, t0 + 3, "v-later"));
      }
      List<AnomalyAlert> alerts = readAlerts(a -> subjects(a, "m-").contains("m-later-hijacked"));
      assertEquals(
          List.of("m-base-hijacked", "m-later-hijacked"),
          subjects(alerts, "m-"),
          "each version's own threshold, no live calibration first");
    }
  }

  private static MonitorSettings settings() {
    return new MonitorSettings(
        "monitor-it",
        Duration.ofMinutes(10),
        20,
        2,
        0.05,
        0.05,
        0.3,
        20,
        stateDir,
        0,
        0,
        new KafkaSettings(kafka.bootstrapServers(), (short) 1),
        MonitorSettings.SOURCE_LIVE,
        null);
  }

  private static ProducerRecord<byte[], byte[]> ranking(String query, double score, long ts) {
    return ranking(query, score, ts, "v1");
  }

  private static ProducerRecord<byte[], byte[]> ranking(
      String query, double score, long ts, String version) {
    RankingResult r =
        RankingResult.newBuilder()
            .setQueryId(query)
            .setQueryEventId(query + "-event")
            .setModelVersion(version)
            .setGallerySize(10)
            .addHits(Hit.newBuilder().setItemId("item-1").setDistance(0.1f))
            .setConsistencyScore((float) score)
            .build();
    return record(query, r.toByteArray(), ts);
  }

  private static ProducerRecord<byte[], byte[]> record(String key, byte[] value, long ts) {
    return new ProducerRecord<>(Topics.RANKINGS.name(), 0, ts, key.getBytes(), value);
  }

  private static KafkaProducer<byte[], byte[]> producer() {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    // One request in flight (see the ranker's TestKafka): no OUT_OF_ORDER_SEQUENCE_NUMBER loop.
    p.put(ProducerConfig.MAX_IN_FLIGHT_REQUESTS_PER_CONNECTION, 1);
    return new KafkaProducer<>(p, new ByteArraySerializer(), new ByteArraySerializer());
  }

  /** The subjects alerted by one test (its own prefix: the tests share the broker). */
  private static List<String> subjects(List<AnomalyAlert> alerts, String prefix) {
    return alerts.stream()
        .map(AnomalyAlert::getSubjectId)
        .filter(s -> s.startsWith(prefix))
        .sorted()
        .toList();
  }

  private static List<AnomalyAlert> readAlerts(Predicate<List<AnomalyAlert>> done) {
    List<AnomalyAlert> alerts = new ArrayList<>();
    read(
        Topics.ALERTS.name(),
        records -> {
          alerts.clear();
          records.forEach(
              r ->
                  alerts.add(
                      Topics.ALERTS.valueSerde().deserializer().deserialize("t", r.value())));
          return done.test(alerts);
        });
    // Give a duplicate the chance to show up before the caller counts.
    List<ConsumerRecord<byte[], byte[]>> settled =
        readFor(Topics.ALERTS.name(), Duration.ofSeconds(3));
    alerts.clear();
    settled.forEach(
        r -> alerts.add(Topics.ALERTS.valueSerde().deserializer().deserialize("t", r.value())));
    return alerts;
  }

  private static List<ConsumerRecord<byte[], byte[]>> read(
      String topic, Predicate<List<ConsumerRecord<byte[], byte[]>>> done) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    long deadline = System.nanoTime() + TIMEOUT.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(topic)) {
      while (!done.test(out)) {
        if (System.nanoTime() > deadline) {
          throw new AssertionError("timed out reading " + topic + "; got " + out.size());
        }
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static List<ConsumerRecord<byte[], byte[]>> readFor(String topic, Duration time) {
    List<ConsumerRecord<byte[], byte[]>> out = new ArrayList<>();
    long deadline = System.nanoTime() + time.toNanos();
    try (KafkaConsumer<byte[], byte[]> consumer = consumer(topic)) {
      while (System.nanoTime() < deadline) {
        consumer.poll(Duration.ofMillis(200)).forEach(out::add);
      }
    }
    return out;
  }

  private static KafkaConsumer<byte[], byte[]> consumer(String topic) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "it-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    p.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(p, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    consumer.subscribe(List.of(topic));
    return consumer;
  }
}
