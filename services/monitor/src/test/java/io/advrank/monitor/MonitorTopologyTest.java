package io.advrank.monitor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.advrank.core.detection.DetectorThresholds;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.RankingResult;
import io.advrank.proto.v1.SubjectKind;
import io.advrank.runtime.kafka.DeadLetters;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.Random;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.test.TestRecord;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MonitorTopologyTest {
  private static final long WINDOW_MS = 10_000;
  private static final int ITEMS = 30;
  private static final int QUERIES_PER_WINDOW = 60;

  @TempDir Path stateDir;

  private SimpleMeterRegistry registry;
  private TopologyTestDriver driver;
  private TestInputTopic<String, RankingResult> rankings;
  private TestInputTopic<byte[], byte[]> rawRankings;
  private TestOutputTopic<String, AnomalyAlert> alerts;
  private TestOutputTopic<byte[], byte[]> deadLetters;
  private final Random random = new Random(7);
  private int queryCounter;
  private final VersionThresholds versions = new VersionThresholds(0.05);

  static MonitorSettings settings(Path stateDir) {
    return new MonitorSettings(
        "monitor-test",
        Duration.ofMillis(WINDOW_MS),
        20,
        2,
        0.05,
        0.05,
        0.3,
        20,
        stateDir,
        0,
        0,
        new KafkaSettings("localhost:9092", (short) 1),
        MonitorSettings.SOURCE_MANIFEST,
        null);
  }

  @BeforeEach
  void start() {
    registry = new SimpleMeterRegistry();
    MonitorSettings settings = settings(stateDir);
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "dummy:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, stateDir.toString());
    driver =
        new TopologyTestDriver(
            MonitorTopology.build(settings, new MonitorMetrics(registry), versions),
            props,
            Instant.EPOCH);
    rankings =
        driver.createInputTopic(
            Topics.RANKINGS.name(),
            Serdes.String().serializer(),
            Topics.RANKINGS.valueSerde().serializer());
    rawRankings =
        driver.createInputTopic(
            Topics.RANKINGS.name(), new ByteArraySerializer(), new ByteArraySerializer());
    alerts =
        driver.createOutputTopic(
            Topics.ALERTS.name(),
            Serdes.String().deserializer(),
            Topics.ALERTS.valueSerde().deserializer());
    deadLetters =
        driver.createOutputTopic(
            Topics.DEAD_LETTER.name(),
            Serdes.ByteArray().deserializer(),
            Serdes.ByteArray().deserializer());
  }

  @AfterEach
  void stop() {
    driver.close();
  }

  @Test
  void alertsOnceOnAQueryWhoseConsistencyScoreIsAboveTheCalibratedThreshold() {
    for (int i = 0; i < 20; i++) {
      send(ranking("q-" + i, 0.01 + 0.001 * i, "item-1"), 100 + i);
    }
    assertTrue(alerts.isEmpty(), "no alerts while calibrating");

    send(ranking("q-benign", 0.015, "item-1"), 200);
    send(ranking("q-hijacked", 0.2, "item-1"), 300);
    send(ranking("q-hijacked", 0.3, "item-1"), 400); // same query, same window: deduplicated

    List<AnomalyAlert> raised = alerts.readValuesToList();
    assertEquals(1, raised.size(), raised.toString());
    AnomalyAlert alert = raised.get(0);
    assertEquals("q-hijacked", alert.getSubjectId());
    assertEquals(SubjectKind.SUBJECT_KIND_QUERY, alert.getSubjectKind());
    assertEquals(Alerts.QUERY_HIJACK, alert.getSignal());
    assertEquals(0.2, alert.getValue(), 1e-6);
    // 20 scores 0.010..0.029 at fpr 0.05: the ceil(21 * 0.95) = 20th, the largest
    assertEquals(0.029, alert.getThreshold(), 1e-6);
    assertEquals(0, alert.getWindowStartMs());
    assertEquals(WINDOW_MS, alert.getWindowEndMs());
    assertEquals(2.0, counter("advrank.monitor.detections", "signal", Alerts.QUERY_HIJACK));
    assertEquals(1.0, counter("advrank.monitor.alerts", "signal", Alerts.QUERY_HIJACK));
  }

  @Test
  void alertsFromTheFirstEventOfAVersionWhoseManifestHasThresholds() {
    versions.put("v1", new DetectorThresholds(0.1, 0.5, 0.05, 2000, null));

    send(ranking("q-benign", 0.05, "item-1"), 100);
    send(ranking("q-hijacked", 0.2, "item-1"), 200);
    send(ranking("q-other-version", 0.9, "item-1").toBuilder().setModelVersion("v2").build(), 300);

    List<AnomalyAlert> raised = alerts.readValuesToList();
    assertEquals(1, raised.size(), "v1's threshold at once; v2 (none) calibrates: " + raised);
    assertEquals("q-hijacked", raised.get(0).getSubjectId());
    assertEquals(0.1, raised.get(0).getThreshold(), 1e-9);
    assertEquals(
        "manifest of v1, 2000 clean images", raised.get(0).getEvidenceOrThrow("calibration"));
  }

  @Test
  void ignoresThresholdsSetForAnotherFalsePositiveRate() {
    assertFalse(versions.put("v1", new DetectorThresholds(0.1, 0.5, 0.005, 2000, null)));
    send(ranking("q-hijacked", 0.2, "item-1"), 200);
    assertTrue(alerts.isEmpty(), "calibrating on live traffic instead");
  }

  @Test
  void alertsOnACatalogPhotoWhoseConsistencyScoreIsAboveTheCalibratedThreshold() {
    TestInputTopic<String, CatalogObservation> observations =
        driver.createInputTopic(
            Topics.CATALOG_OBSERVATIONS.name(),
            Serdes.String().serializer(),
            Topics.CATALOG_OBSERVATIONS.valueSerde().serializer());
    for (int i = 0; i < 20; i++) {
      observations.pipeInput("item-" + i, photo("item-" + i, 0.01 + 0.001 * i, null), 100 + i);
    }
    observations.pipeInput("item-3", photo("item-3", 0.012, 0.0f), 200); // benign re-upload
    observations.pipeInput("item-4", photo("item-4", 0.4, 0.35f), 300); // perturbed re-upload

    List<AnomalyAlert> raised = alerts.readValuesToList();
    assertEquals(1, raised.size(), raised.toString());
    assertEquals("item-4", raised.get(0).getSubjectId());
    assertEquals(SubjectKind.SUBJECT_KIND_ITEM, raised.get(0).getSubjectKind());
    assertEquals(Alerts.PHOTO_INCONSISTENCY, raised.get(0).getSignal());
    assertEquals("0.35", raised.get(0).getEvidenceOrThrow("embedding_jump"));
    assertEquals(
        22.0, registry.get("advrank.monitor.events").tag("stream", "catalog").counter().count());
  }

  private static CatalogObservation photo(String item, double score, Float jump) {
    CatalogObservation.Builder o =
        CatalogObservation.newBuilder()
            .setItemId(item)
            .setEventId(item + "-upload")
            .setModelVersion("v1")
            .setConsistencyScore((float) score);
    if (jump != null) {
      o.setEmbeddingJump(jump);
    }
    return o.build();
  }

  @Test
  void raisesARankSurgeForAnItemThatJumpsIntoManyRankings() {
    for (int w = 0; w < 4; w++) {
      benignWindow(w, null, null);
    }
    benignWindow(4, "item-7", null); // item-7 now in every top-k
    benignWindow(5, null, null); // closes window 4

    List<AnomalyAlert> surges = signal(alerts.readValuesToList(), Alerts.RANK_SURGE);
    AnomalyAlert surge =
        surges.stream().filter(a -> a.getSubjectId().equals("item-7")).findFirst().orElseThrow();
    // Benign items cross a 5% threshold now and then; none comes near the surge.
    for (AnomalyAlert other : surges) {
      if (other != surge) {
        assertTrue(other.getValue() < surge.getValue() / 3, other.toString());
      }
    }
    assertTrue(surges.size() <= 1 + 0.05 * ITEMS * 3, "false surges: " + surges.size());
    assertEquals(SubjectKind.SUBJECT_KIND_ITEM, surge.getSubjectKind());
    assertEquals(4 * WINDOW_MS, surge.getWindowStartMs());
    assertTrue(surge.getValue() > surge.getThreshold());
    assertEquals(Integer.toString(QUERIES_PER_WINDOW), surge.getEvidenceOrThrow("sightings"));
    var drift =
        driver
            .<String, io.advrank.proto.v1.ItemDrift>getKeyValueStore(MonitorTopology.ITEM_DRIFT)
            .get("item-7");
    assertTrue(drift.getWindows() >= 5, drift.toString());
  }

  @Test
  void raisesARankDropForAPopularItemThatVanishes() {
    for (int w = 0; w < 4; w++) {
      benignWindow(w, "item-3", null); // item-3 is a best seller: in every top-k
    }
    benignWindow(4, null, "item-3"); // gone from every ranking
    benignWindow(5, "item-3", null);

    List<AnomalyAlert> drops = signal(alerts.readValuesToList(), Alerts.RANK_DROP);
    assertEquals(List.of("item-3"), drops.stream().map(AnomalyAlert::getSubjectId).toList());
    assertEquals(4 * WINDOW_MS, drops.get(0).getWindowStartMs());
    assertEquals("0", drops.get(0).getEvidenceOrThrow("sightings"));
  }

  @Test
  void deadLettersUnparseableRecordsAndKeepsGoing() {
    rawRankings.pipeInput(new TestRecord<>("k".getBytes(), new byte[] {(byte) 0xff, 1, 2}));
    send(RankingResult.newBuilder().setGallerySize(5).build(), 10); // no query id: invalid
    for (int i = 0; i < 20; i++) {
      send(ranking("q-" + i, 0.01, "item-1"), 100 + i);
    }
    send(ranking("q-hijacked", 0.5, "item-1"), 300);

    List<TestRecord<byte[], byte[]>> letters = deadLetters.readRecordsToList();
    assertEquals(2, letters.size());
    assertEquals("malformed", DeadLetters.header(letters.get(0).headers(), DeadLetters.REASON));
    assertEquals("invalid", DeadLetters.header(letters.get(1).headers(), DeadLetters.REASON));
    assertEquals(
        Topics.RANKINGS.name(),
        DeadLetters.header(letters.get(0).headers(), DeadLetters.SOURCE_TOPIC));
    assertEquals(1, alerts.readValuesToList().size(), "valid records after bad ones still scored");
    assertEquals(
        1.0, registry.get("advrank.dead.letters").tag("reason", "malformed").counter().count());
  }

  /**
   * One window of benign traffic: each query's top-3 are random items; {@code always} is added to
   * every ranking, {@code never} is left out of all.
   */
  private void benignWindow(int window, String always, String never) {
    for (int q = 0; q < QUERIES_PER_WINDOW; q++) {
      List<String> hits = new ArrayList<>();
      if (always != null) {
        hits.add(always);
      }
      while (hits.size() < (always != null ? 4 : 3)) {
        String item = "item-" + random.nextInt(ITEMS);
        if (!hits.contains(item) && !item.equals(never) && !item.equals("item-3")) {
          hits.add(item);
        }
      }
      long ts = window * WINDOW_MS + q * (WINDOW_MS / QUERIES_PER_WINDOW);
      send(ranking("q-" + queryCounter++, 0.01, hits.toArray(new String[0])), ts);
    }
  }

  private RankingResult ranking(String queryId, double score, String... items) {
    RankingResult.Builder r =
        RankingResult.newBuilder()
            .setQueryId(queryId)
            .setQueryEventId(queryId + "-event")
            .setModelVersion("v1")
            .setGallerySize(ITEMS)
            .setConsistencyScore((float) score);
    for (int i = 0; i < items.length; i++) {
      r.addHits(Hit.newBuilder().setItemId(items[i]).setDistance(0.1f * (i + 1)));
    }
    return r.build();
  }

  private void send(RankingResult r, long timestampMs) {
    rankings.pipeInput(r.getQueryId(), r, timestampMs);
  }

  private static List<AnomalyAlert> signal(List<AnomalyAlert> all, String signal) {
    return all.stream().filter(a -> a.getSignal().equals(signal)).toList();
  }

  private double counter(String name, String tag, String value) {
    return registry.get(name).tag(tag, value).counter().count();
  }
}
