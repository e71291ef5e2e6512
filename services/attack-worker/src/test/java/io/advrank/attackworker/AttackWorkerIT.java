package io.advrank.attackworker;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import io.advrank.core.data.PhotoException;
import io.advrank.core.data.PhotoFiles;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.embedded.EmbeddedKafka;
import io.advrank.proto.v1.AdversarialVariant;
import io.advrank.proto.v1.AttackType;
import io.advrank.proto.v1.ImageEvent;
import io.advrank.proto.v1.ImageKind;
import io.advrank.proto.v1.PhotoFormat;
import io.advrank.proto.v1.Pixels;
import io.advrank.proto.v1.RankShift;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.PixelCodec;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import java.util.zip.CRC32;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Fixture catalog and queries → attack-worker (CA+ on 20% of the catalog, SP-QA+ on 20% of the
 * queries) on a real broker with the shipped model: every event is delivered exactly once, attacked
 * ones within ε and with one rank shift each, moved the attack's way on average.
 */
class AttackWorkerIT {
  private static final int CATALOG = 200;
  private static final int QUERIES = 100;
  private static final double EPS = 0.1;
  private static final String CAMPAIGN =
      "CA+ eps=0.1 w=1 fraction=0.2; SP-QA+ eps=0.1 m=1 fraction=0.2";

  private static EmbeddedKafka kafka;
  private static EmbeddingModel model;
  private static AttackWorkerSettings settings;
  private static AttackWorkerService worker;
  private static final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private static long readyAtMs;

  @BeforeAll
  static void start() throws Exception {
    kafka = TestKafka.startWithTopics();
    model = EmbeddingModel.load(TestKafka.MODEL, Device.cpu());
    settings = TestKafka.settings(kafka, "it-worker", CAMPAIGN, 16);
    TestKafka.produce(kafka, Topics.CATALOG, TestKafka.catalog(CATALOG));
    worker =
        TestKafka.worker(
            settings, model, new KafkaProducer<>(AttackWorkerClients.producer(settings)), registry);
    worker.start();
    assertTrue(worker.awaitReady(Duration.ofSeconds(30)), "gallery loaded");
    readyAtMs = System.currentTimeMillis();
    TestKafka.produce(kafka, Topics.QUERIES, TestKafka.queries(CATALOG, QUERIES));
  }

  @AfterAll
  static void stop() {
    worker.close();
    model.close();
    kafka.close();
  }

  @Test
  void deliversEveryEventOnceAndAttacksTheChosenOnesWithinEpsilon() throws Exception {
    Map<String, ImageEvent> inputs = new HashMap<>();
    TestKafka.catalog(CATALOG).forEach(e -> inputs.put(e.getEventId(), e));
    TestKafka.queries(CATALOG, QUERIES).forEach(e -> inputs.put(e.getEventId(), e));
    Set<String> chosen =
        inputs.values().stream()
            .filter(
                e ->
                    settings
                        .campaign()
                        .choose(
                            e.getKind() == ImageKind.IMAGE_KIND_CATALOG_ITEM,
                            e.getEventId(),
                            e.getItemId())
                        .isPresent())
            .map(ImageEvent::getEventId)
            .collect(Collectors.toSet());
    List<ImageEvent> delivered = new ArrayList<>();
    delivered.addAll(deliveredFixture(Topics.CATALOG_DELIVERED, inputs, CATALOG));
    delivered.addAll(deliveredFixture(Topics.QUERIES_DELIVERED, inputs, QUERIES));
    // Filtered to the fixture: the dead-letter test's sentinel query may be attacked too.
    List<RankShift> shifts =
        readAll(Topics.RANK_SHIFTS, chosen.size()).stream()
            .filter(s -> inputs.containsKey(s.getOriginalEventId()))
            .toList();
    long doneAtMs = shifts.stream().mapToLong(RankShift::getMeasuredAtMs).max().orElse(0);

    Map<String, Long> perEvent =
        delivered.stream()
            .collect(Collectors.groupingBy(ImageEvent::getEventId, Collectors.counting()));
    assertEquals(inputs.keySet(), perEvent.keySet(), "every input delivered");
    assertTrue(perEvent.values().stream().allMatch(n -> n == 1), "exactly once: " + perEvent);
    for (ImageEvent d : delivered) {
      checkDelivered(inputs.get(d.getEventId()), d, chosen.contains(d.getEventId()));
    }
    List<AdversarialVariant> variants =
        readAll(Topics.ADVERSARIAL, chosen.size()).stream()
            .filter(v -> inputs.containsKey(v.getOriginalEventId()))
            .toList();
    checkShifts(shifts, chosen, variants);
    report(shifts, doneAtMs - readyAtMs);
    assertTrue(forwarded() >= CATALOG + QUERIES, "advrank_events_forwarded_total " + forwarded());
  }

  @Test
  void exposesAttackAndKafkaClientMetricsForPrometheus() throws Exception {
    String version = "model_version=\"" + model.version() + "\"";
    List<String> expected =
        List.of(
            "advrank_attacks_total{" + version + ",outcome=\"",
            "advrank_attack_latency_seconds_bucket{" + version + ",type=\"",
            "advrank_attack_batch_size_bucket{le=",
            "advrank_rank_percentile_before_bucket{" + version + ",type=\"",
            "advrank_rank_percentile_after_bucket{" + version + ",type=\"",
            "advrank_embedding_shift_count{" + version + ",type=\"",
            "advrank_events_forwarded_total{topic=\"advrank.",
            // The Kafka clients' own metrics, per client: the work consumer, the gallery consumer
            // and the transactional producer.
            "kafka_consumer_fetch_manager_records_consumed_total{client_id=\"advrank-it-worker-work\"",
            "kafka_consumer_fetch_manager_records_lag_max{client_id=\"advrank-it-worker-gallery\"",
            "kafka_producer_record_send_total{client_id=\"advrank-it-worker\"",
            "kafka_producer_txn_commit_time_ns_total{client_id=\"advrank-it-worker\"");
    // Meters appear as the worker tallies its first committed batches (and the client metrics
    // on their next refresh): scrape until every series is there, or report what is missing.
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    List<String> missing = expected;
    while (!missing.isEmpty() && System.nanoTime() < deadline) {
      String scrape = registry.scrape();
      missing = expected.stream().filter(series -> !scrape.contains(series)).toList();
      if (!missing.isEmpty()) {
        Thread.sleep(200);
      }
    }
    assertTrue(missing.isEmpty(), "missing from the scrape after 60 s: " + missing);
  }

  @Test
  void deadLettersBadInputAndKeepsRunning() throws Exception {
    ImageEvent good =
        TestKafka.queries(CATALOG + QUERIES, 1).get(0).toBuilder()
            .setEventId("sentinel")
            .setItemId("q-sentinel")
            .build();
    float[] nan = new float[784];
    nan[0] = Float.NaN;
    List<byte[]> bad =
        List.of(
            new byte[] {(byte) 0xff, 1, 2},
            good.toBuilder()
                .setEventId("bad-size")
                .setPixels(PixelCodec.fromUint8(1, 27, 27, new byte[729]))
                .build()
                .toByteArray(),
            good.toBuilder()
                .setEventId("bad-nan")
                .setPixels(PixelCodec.fromFloats(1, 28, 28, nan))
                .build()
                .toByteArray(),
            good.toBuilder().setEventId("bad-kind").setKindValue(42).build().toByteArray(),
            new byte[20_000],
            // A photo file that does not decode, and one whose header claims 10^10 pixels.
            good.toBuilder()
                .setEventId("bad-jpeg")
                .setPixels(
                    PixelCodec.encoded(
                        PhotoFormat.PHOTO_FORMAT_JPEG,
                        new byte[] {(byte) 0xFF, (byte) 0xD8, (byte) 0xFF, 1, 2}))
                .build()
                .toByteArray(),
            good.toBuilder()
                .setEventId("bad-bomb")
                .setPixels(PixelCodec.encoded(PhotoFormat.PHOTO_FORMAT_PNG, bomb(100_000, 100_000)))
                .build()
                .toByteArray());
    try (KafkaProducer<byte[], byte[]> p = TestKafka.bytesProducer(kafka)) {
      for (byte[] value : bad) {
        p.send(new ProducerRecord<>(Topics.QUERIES.name(), "q-bad".getBytes(), value));
      }
      p.send(
          new ProducerRecord<>(Topics.QUERIES.name(), "q-sentinel".getBytes(), good.toByteArray()));
    }
    List<ConsumerRecord<byte[], byte[]>> letters =
        TestKafka.read(
            kafka,
            Topics.DEAD_LETTER.name(),
            true,
            r -> r.size() >= bad.size(),
            Duration.ofSeconds(30));
    Map<String, Long> reasons =
        letters.stream()
            .collect(
                Collectors.groupingBy(
                    r -> DeadLetters.header(r.headers(), DeadLetters.REASON),
                    TreeMap::new,
                    Collectors.counting()));
    assertEquals(Map.of("malformed", 1L, "unsupported", 2L, "invalid", 4L), reasons);
    List<String> photoReasons =
        letters.stream()
            .map(r -> DeadLetters.header(r.headers(), DeadLetters.EXCEPTION_MESSAGE))
            .filter(m -> m != null && m.startsWith("photo: "))
            .sorted()
            .toList();
    assertEquals(2, photoReasons.size(), "photo reasons: " + photoReasons);
    assertTrue(
        photoReasons.get(0).startsWith("photo: PNG photo of 100000x100000"), photoReasons.get(0));
    assertTrue(
        photoReasons.get(1).startsWith("photo: cannot decode the JPEG"), photoReasons.get(1));
    List<ConsumerRecord<byte[], byte[]>> sentinel =
        TestKafka.read(
            kafka,
            Topics.QUERIES_DELIVERED.name(),
            true,
            r -> r.stream().anyMatch(x -> new String(x.key()).equals("q-sentinel")),
            Duration.ofSeconds(30));
    assertEquals(
        1, sentinel.stream().filter(x -> new String(x.key()).equals("q-sentinel")).count());
    assertTrue(worker.failure().isEmpty(), () -> "worker failed: " + worker.failure());
  }

  private static void checkDelivered(ImageEvent in, ImageEvent out, boolean attacked) {
    assertEquals(in.getItemId(), out.getItemId());
    if (!attacked) {
      assertEquals(in, out, "benign traffic unchanged");
      return;
    }
    // Delivered as a seller uploads a file: 8 bits at the model's input, whatever came in (some
    // inputs are PNG files), within ⌊255·ε⌋ whole steps of the clean image as the model read it.
    assertEquals(Pixels.DataCase.UINT8, out.getPixels().getDataCase(), "8-bit pixels");
    byte[] clean = uint8(in.getPixels());
    byte[] adv = out.getPixels().getUint8().toByteArray();
    assertEquals(clean.length, adv.length);
    int steps = 0;
    for (int i = 0; i < clean.length; i++) {
      steps = Math.max(steps, Math.abs((clean[i] & 0xFF) - (adv[i] & 0xFF)));
    }
    int budget = (int) Math.floor(255 * EPS + 1e-6);
    assertTrue(steps <= budget && steps > 0, "L∞ " + steps + " steps within ε (" + budget + ")");
    assertEquals(in.toBuilder().clearPixels().build(), out.toBuilder().clearPixels().build());
  }

  /** A PNG header claiming {@code width × height} RGB pixels, with no pixel data. */
  private static byte[] bomb(int width, int height) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(new byte[] {(byte) 0x89, 'P', 'N', 'G', 13, 10, 26, 10});
    ByteBuffer ihdr = ByteBuffer.allocate(17);
    ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII));
    ihdr.putInt(width).putInt(height).put(new byte[] {8, 2, 0, 0, 0});
    CRC32 crc = new CRC32();
    crc.update(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt(13).array());
    out.writeBytes(ihdr.array());
    out.writeBytes(ByteBuffer.allocate(4).putInt((int) crc.getValue()).array());
    return out.toByteArray();
  }

  /** The 8-bit pixels of an input event, 28x28 grey or a PNG file of them. */
  private static byte[] uint8(Pixels p) {
    if (p.getDataCase() == Pixels.DataCase.UINT8) {
      return p.getUint8().toByteArray();
    }
    try {
      return PhotoFiles.fit(p.getEncoded().getData().toByteArray(), 1, 28, 28);
    } catch (PhotoException e) {
      throw new AssertionError(e);
    }
  }

  private static void checkShifts(
      List<RankShift> shifts, Set<String> chosen, List<AdversarialVariant> variants) {
    Map<String, Long> perEvent =
        shifts.stream()
            .collect(Collectors.groupingBy(RankShift::getOriginalEventId, Collectors.counting()));
    assertEquals(chosen, perEvent.keySet(), "one rank shift per attacked event");
    assertTrue(perEvent.values().stream().allMatch(n -> n == 1), "no duplicate rank shifts");
    assertEquals(
        chosen,
        variants.stream().map(AdversarialVariant::getOriginalEventId).collect(Collectors.toSet()));
    assertEquals(chosen.size(), variants.size(), "one variant per attacked event");
    for (AttackType type :
        List.of(AttackType.ATTACK_TYPE_CA_PLUS, AttackType.ATTACK_TYPE_SP_QA_PLUS)) {
      List<RankShift> of = shifts.stream().filter(s -> s.getAttackType() == type).toList();
      assertTrue(of.size() >= 5, type + " attacks: " + of.size());
      double before =
          of.stream().mapToDouble(RankShift::getRankPercentileBefore).average().orElseThrow();
      double after =
          of.stream().mapToDouble(RankShift::getRankPercentileAfter).average().orElseThrow();
      assertTrue(after < before, type + ": mean rank percentile " + before + " -> " + after);
      of.forEach(s -> assertEquals(model.version(), s.getModelVersion()));
      of.forEach(s -> assertEquals(1, s.getTargetIdsCount()));
    }
  }

  private static void report(List<RankShift> shifts, long wallMs) {
    Map<AttackType, List<RankShift>> byType =
        shifts.stream().collect(Collectors.groupingBy(RankShift::getAttackType));
    byType.forEach(
        (type, of) ->
            System.out.printf(
                "attack-worker IT: %s n=%d rank %% %.1f -> %.1f, success %.2f, mean batch %.1f, mean PGD batch latency %.0f ms%n",
                type,
                of.size(),
                of.stream().mapToDouble(RankShift::getRankPercentileBefore).average().orElse(0),
                of.stream().mapToDouble(RankShift::getRankPercentileAfter).average().orElse(0),
                of.stream().filter(RankShift::getSuccess).count() / (double) of.size(),
                of.stream().mapToInt(RankShift::getBatchSize).average().orElse(0),
                of.stream().mapToLong(RankShift::getAttackLatencyMicros).average().orElse(0)
                    / 1000));
    System.out.printf(
        "attack-worker IT: %d attacks in %d ms from ready to last rank shift (%.1f attacks/s incl. forwarding)%n",
        shifts.size(), wallMs, shifts.size() * 1000.0 / Math.max(1, wallMs));
  }

  private static double forwarded() {
    return registry.find("advrank.events.forwarded").counters().stream()
        .mapToDouble(c -> c.count())
        .sum();
  }

  private static List<ImageEvent> deliveredFixture(
      Topic<String, ImageEvent> topic, Map<String, ImageEvent> inputs, int n) {
    List<ImageEvent> all =
        TestKafka.values(
            topic,
            TestKafka.read(kafka, topic.name(), true, r -> r.size() >= n, Duration.ofSeconds(45)));
    return all.stream().filter(e -> inputs.containsKey(e.getEventId())).toList();
  }

  @Test
  void marksEveryPerturbedRecordAndOnlyThoseAdversarial() throws Exception {
    Map<String, ImageEvent> inputs = new HashMap<>();
    TestKafka.catalog(CATALOG).forEach(e -> inputs.put(e.getEventId(), e));
    TestKafka.queries(CATALOG, QUERIES).forEach(e -> inputs.put(e.getEventId(), e));
    int marked = 0;
    for (Topic<String, ImageEvent> topic :
        List.of(Topics.CATALOG_DELIVERED, Topics.QUERIES_DELIVERED)) {
      int n = topic == Topics.CATALOG_DELIVERED ? CATALOG : QUERIES;
      for (var r :
          TestKafka.read(kafka, topic.name(), true, l -> l.size() >= n, Duration.ofSeconds(45))) {
        ImageEvent e = topic.valueSerde().deserializer().deserialize(topic.name(), r.value());
        ImageEvent in = inputs.get(e.getEventId());
        if (in == null) {
          continue; // the dead-letter test's sentinel
        }
        boolean attacked =
            settings
                .campaign()
                .choose(
                    in.getKind() == ImageKind.IMAGE_KIND_CATALOG_ITEM,
                    in.getEventId(),
                    in.getItemId())
                .isPresent();
        var header = r.headers().lastHeader(OutputRecords.ADVERSARIAL);
        assertEquals(attacked, header != null, e.getEventId() + " marked adversarial");
        if (attacked) {
          assertEquals("true", new String(header.value(), StandardCharsets.US_ASCII));
          marked++;
        }
      }
    }
    assertTrue(marked > 0, "some delivered records were perturbed");
    var variants =
        TestKafka.read(
            kafka, Topics.ADVERSARIAL.name(), true, l -> l.size() >= 1, Duration.ofSeconds(45));
    assertTrue(
        variants.stream().allMatch(r -> r.headers().lastHeader(OutputRecords.ADVERSARIAL) != null),
        "every ground-truth record is marked");
  }

  @Test
  void refusesToStartOnAClusterThatIsNotTheStagingOne() {
    AttackWorkerSettings elsewhere =
        new AttackWorkerSettings(
            settings.modelDir(),
            settings.campaign(),
            settings.batchMax(),
            settings.batchWait(),
            settings.galleryRebuildItems(),
            settings.galleryRebuildInterval(),
            settings.maxEventBytes(),
            settings.groupId(),
            "it-fenced",
            0,
            settings.device(),
            settings.kafka(),
            new StagingFence(Set.copyOf(StagingFence.WRITES), "not-" + kafka.clusterId()),
            ModelTrust.NONE);
    SettingsException e =
        assertThrows(
            SettingsException.class,
            () -> AttackWorkerService.create(elsewhere, Clock.systemUTC(), registry));
    assertEquals(
        "refusing to attack: the cluster's id is "
            + kafka.clusterId()
            + ", not the staging cluster's id in setting 'staging.cluster.id' (not-"
            + kafka.clusterId()
            + ")",
        e.getMessage());
  }

  private static <V> List<V> readAll(Topic<String, V> topic, int n) {
    return TestKafka.values(
        topic,
        TestKafka.read(kafka, topic.name(), true, r -> r.size() >= n, Duration.ofSeconds(45)));
  }
}
