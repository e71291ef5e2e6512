package io.advrank.cli.bench;

import io.advrank.monitor.MonitorMetrics;
import io.advrank.monitor.MonitorSettings;
import io.advrank.monitor.MonitorTopology;
import io.advrank.monitor.VersionThresholds;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.CatalogObservation;
import io.advrank.proto.v1.ItemDrift;
import io.advrank.proto.v1.RankingResult;
import io.advrank.runtime.topic.Topics;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.TestInputTopic;
import org.apache.kafka.streams.TestOutputTopic;
import org.apache.kafka.streams.TopologyTestDriver;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.KeyValueStore;

/**
 * The monitor's real topology ({@link MonitorTopology#build}) fed in-process through Kafka Streams'
 * {@link TopologyTestDriver}: the same processors, stores and calibration as the service, without a
 * broker. Rankings go in with explicit event times so windows are reproducible.
 */
final class DetectReplay implements AutoCloseable {
  private final TopologyTestDriver driver;
  private final TestInputTopic<String, RankingResult> rankings;
  private final TestInputTopic<String, CatalogObservation> observations;
  private final TestOutputTopic<String, AnomalyAlert> alerts;

  /**
   * A replay whose score detectors use {@code versions}' thresholds for the versions it holds (with
   * {@code calibration.source=manifest}), else calibrate on the replayed traffic.
   */
  DetectReplay(MonitorSettings settings, VersionThresholds versions) {
    Properties props = new Properties();
    props.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    props.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, "in-process:9092");
    props.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
    driver =
        new TopologyTestDriver(
            MonitorTopology.build(
                settings, new MonitorMetrics(new SimpleMeterRegistry()), versions),
            props,
            Instant.EPOCH);
    rankings =
        driver.createInputTopic(
            Topics.RANKINGS.name(),
            Serdes.String().serializer(),
            Topics.RANKINGS.valueSerde().serializer());
    observations =
        driver.createInputTopic(
            Topics.CATALOG_OBSERVATIONS.name(),
            Serdes.String().serializer(),
            Topics.CATALOG_OBSERVATIONS.valueSerde().serializer());
    alerts =
        driver.createOutputTopic(
            Topics.ALERTS.name(),
            Serdes.String().deserializer(),
            Topics.ALERTS.valueSerde().deserializer());
  }

  void send(RankingResult ranking, long eventTimeMs) {
    rankings.pipeInput(ranking.getQueryId(), ranking, eventTimeMs);
  }

  void send(CatalogObservation observation, long eventTimeMs) {
    observations.pipeInput(observation.getItemId(), observation, eventTimeMs);
  }

  /** Alerts raised since the last call. */
  List<AnomalyAlert> newAlerts() {
    return alerts.readValuesToList();
  }

  /** The drift score of every item whose last closed window started at {@code windowStartMs}. */
  Map<String, Double> driftScores(long windowStartMs) {
    KeyValueStore<String, ItemDrift> store = driver.getKeyValueStore(MonitorTopology.ITEM_DRIFT);
    Map<String, Double> out = new HashMap<>();
    try (KeyValueIterator<String, ItemDrift> all = store.all()) {
      while (all.hasNext()) {
        KeyValue<String, ItemDrift> e = all.next();
        if (e.value.getLastWindowStartMs() == windowStartMs) {
          out.put(e.key, e.value.getLastScore());
        }
      }
    }
    return out;
  }

  @Override
  public void close() {
    driver.close();
  }
}
