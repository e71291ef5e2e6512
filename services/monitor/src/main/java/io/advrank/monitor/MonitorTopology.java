package io.advrank.monitor;

import com.google.protobuf.Message;
import io.advrank.monitor.ParseRecords.Parsed;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.Hit;
import io.advrank.proto.v1.ItemDrift;
import io.advrank.proto.v1.ItemSighting;
import io.advrank.proto.v1.RankingResult;
import io.advrank.proto.v1.ScoreSample;
import io.advrank.runtime.topic.Topic;
import io.advrank.runtime.topic.Topics;
import io.advrank.runtime.wire.ProtoSerde;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.apache.kafka.common.serialization.Deserializer;
import org.apache.kafka.common.serialization.Serde;
import org.apache.kafka.common.serialization.Serdes;
import org.apache.kafka.common.serialization.Serializer;
import org.apache.kafka.streams.KeyValue;
import org.apache.kafka.streams.StreamsBuilder;
import org.apache.kafka.streams.Topology;
import org.apache.kafka.streams.kstream.Branched;
import org.apache.kafka.streams.kstream.Consumed;
import org.apache.kafka.streams.kstream.KStream;
import org.apache.kafka.streams.kstream.Named;
import org.apache.kafka.streams.kstream.Produced;
import org.apache.kafka.streams.kstream.Repartitioned;
import org.apache.kafka.streams.state.Stores;

/**
 * The monitor's Kafka Streams topology.
 *
 * <pre>
 * advrank.rankings ─ rankings-parse ─┬─ invalid ─▶ advrank.dead-letter
 *                                    └─ valid ─┬─ query-hijack ──────────────────────────┐
 *                                              └─ item-sightings ─▶ (repartition by item) │
 *                                                 ─ rank-drift ───────────────────────────┤
 * advrank.catalog.observations ─ catalog-parse ─┬─ invalid ─▶ advrank.dead-letter          │
 *                                               └─ valid ─ catalog-photos ────────────────┴─▶ advrank.alerts
 * </pre>
 *
 * <ul>
 *   <li>Input {@code advrank.rankings}: key query id, value {@code RankingResult}.
 *   <li>Input {@code advrank.catalog.observations}: key item id, value {@code CatalogObservation}.
 *   <li>Output {@code advrank.alerts}: key subject id, value {@code AnomalyAlert}.
 *   <li>Output {@code advrank.dead-letter}: the original bytes of records it cannot use.
 *   <li>Internal: repartition topic {@code <app>-item-sightings-repartition} ({@code ItemSighting})
 *       and the changelogs of the stores named below.
 * </ul>
 */
public final class MonitorTopology {
  /** Rank-drift state per item: {@code ItemDrift} by item id (interactive query {@code /drift}). */
  public static final String ITEM_DRIFT = "item-drift";

  /** Alerts per item / per query of the retained windows, by alert id ({@code /alerts}). */
  public static final String ITEM_ALERTS = "item-alerts";

  public static final String QUERY_ALERTS = "query-alerts";

  /** Calibration samples of the two detectors. */
  public static final String DRIFT_CALIBRATION = "drift-calibration";

  public static final String HIJACK_CALIBRATION = "hijack-calibration";

  /** Calibration and alerts of the catalog-photo detector. */
  public static final String CATALOG_CALIBRATION = "catalog-calibration";

  public static final String CATALOG_ALERTS = "catalog-alerts";

  static final Serde<ItemSighting> SIGHTING = ProtoSerde.of(ItemSighting.getDefaultInstance());
  static final Serde<ItemDrift> DRIFT = stateSerde(ItemDrift.getDefaultInstance());
  static final Serde<ScoreSample> SAMPLE = stateSerde(ScoreSample.getDefaultInstance());
  static final Serde<AnomalyAlert> ALERT = stateSerde(AnomalyAlert.getDefaultInstance());

  private MonitorTopology() {}

  /** The topology with live calibration only (no version's thresholds known). */
  public static Topology build(MonitorSettings settings, MonitorMetrics metrics) {
    return build(settings, metrics, new VersionThresholds(settings.falsePositiveRate()));
  }

  /**
   * The topology; {@code metrics} receives the monitor's counters and gauge, {@code versions} holds
   * the detector thresholds of the model versions known so far (filled while it runs).
   */
  public static Topology build(
      MonitorSettings settings, MonitorMetrics metrics, VersionThresholds versions) {
    StreamsBuilder builder = new StreamsBuilder();
    store(builder, ITEM_DRIFT, DRIFT);
    store(builder, ITEM_ALERTS, ALERT);
    store(builder, QUERY_ALERTS, ALERT);
    store(builder, DRIFT_CALIBRATION, SAMPLE);
    store(builder, HIJACK_CALIBRATION, SAMPLE);
    store(builder, CATALOG_CALIBRATION, SAMPLE);
    store(builder, CATALOG_ALERTS, ALERT);

    KStream<byte[], RankingResult> rankings =
        parsed(builder, Topics.RANKINGS, "rankings", MonitorTopology::rankingProblem, metrics);
    KStream<String, AnomalyAlert> hijacks =
        rankings.process(
            () -> ScoreDetector.queries(settings, metrics, versions),
            Named.as("query-hijack"),
            HIJACK_CALIBRATION,
            QUERY_ALERTS);
    KStream<String, AnomalyAlert> photos =
        parsed(
                builder,
                Topics.CATALOG_OBSERVATIONS,
                "catalog",
                o -> o.getItemId().isEmpty() ? "item_id is empty" : null,
                metrics)
            .process(
                () -> ScoreDetector.catalogPhotos(settings, metrics, versions),
                Named.as("catalog-photos"),
                CATALOG_CALIBRATION,
                CATALOG_ALERTS);
    KStream<String, AnomalyAlert> drifts =
        rankings
            .flatMap((key, r) -> sightings(r), Named.as("item-sightings"))
            .repartition(Repartitioned.with(Serdes.String(), SIGHTING).withName("item-sightings"))
            .process(
                () -> new RankDriftDetector(settings, metrics),
                Named.as("rank-drift"),
                ITEM_DRIFT,
                DRIFT_CALIBRATION,
                ITEM_ALERTS);
    hijacks
        .merge(drifts, Named.as("alerts-rankings"))
        .merge(photos, Named.as("alerts"))
        .to(
            Topics.ALERTS.name(),
            Produced.with(Topics.ALERTS.keySerde(), Topics.ALERTS.valueSerde())
                .withName("alerts-sink"));
    return builder.build();
  }

  /**
   * The valid messages of {@code topic}; the rest go to the dead-letter topic. Processor names are
   * prefixed with {@code stream}.
   */
  private static <T extends Message> KStream<byte[], T> parsed(
      StreamsBuilder builder,
      Topic<String, T> topic,
      String stream,
      Function<T, String> problem,
      MonitorMetrics metrics) {
    Map<String, KStream<byte[], Parsed<T>>> branches =
        builder.stream(
                topic.name(),
                Consumed.with(Serdes.ByteArray(), Serdes.ByteArray()).withName(stream + "-source"))
            .process(
                () -> new ParseRecords<>(topic, stream, problem, metrics),
                Named.as(stream + "-parse"))
            .split(Named.as(stream + "-"))
            .branch((key, p) -> p.value() != null, Branched.as("valid"))
            .defaultBranch(Branched.as("invalid"));
    branches
        .get(stream + "-invalid")
        .mapValues(Parsed::raw, Named.as(stream + "-dead-letter-value"))
        .to(
            Topics.DEAD_LETTER.name(),
            Produced.with(Serdes.ByteArray(), Serdes.ByteArray())
                .withName(stream + "-dead-letter-sink"));
    return branches.get(stream + "-valid").mapValues(Parsed::value, Named.as(stream + "-value"));
  }

  /** What makes a ranking unusable, or null. */
  static String rankingProblem(RankingResult r) {
    if (r.getQueryId().isEmpty()) {
      return "query_id is empty";
    }
    if (r.getHitsCount() > r.getGallerySize()) {
      return "more hits (" + r.getHitsCount() + ") than gallery_size " + r.getGallerySize();
    }
    return null;
  }

  /** Start of the tumbling window of {@code size} that contains {@code timestampMs}. */
  static long windowStart(long timestampMs, Duration size) {
    return Math.floorDiv(timestampMs, size.toMillis()) * size.toMillis();
  }

  /** One sighting per hit of the ranking, keyed by item id. */
  static List<KeyValue<String, ItemSighting>> sightings(RankingResult r) {
    List<KeyValue<String, ItemSighting>> out = new ArrayList<>(r.getHitsCount());
    for (int i = 0; i < r.getHitsCount(); i++) {
      Hit hit = r.getHits(i);
      ItemSighting.Builder s =
          ItemSighting.newBuilder()
              .setItemId(hit.getItemId())
              .setQueryId(r.getQueryId())
              .setPosition(i)
              .setGallerySize(r.getGallerySize())
              .setModelVersion(r.getModelVersion())
              .setRankedAtMs(r.getRankedAtMs());
      if (hit.hasLabel()) {
        s.setItemLabel(hit.getLabel());
      }
      if (r.hasQueryLabel()) {
        s.setQueryLabel(r.getQueryLabel());
      }
      out.add(KeyValue.pair(hit.getItemId(), s.build()));
    }
    return out;
  }

  /**
   * A store's serde ignores record headers: Streams hands a store the headers of the record being
   * processed (which name that record's type), and a store value must read back whatever they say.
   */
  private static <T extends Message> Serde<T> stateSerde(T defaultInstance) {
    ProtoSerde<T> proto = ProtoSerde.of(defaultInstance);
    Serializer<T> serializer = (topic, value) -> proto.serialize(topic, value);
    Deserializer<T> deserializer = (topic, bytes) -> proto.deserialize(topic, bytes);
    return Serdes.serdeFrom(serializer, deserializer);
  }

  private static <V> void store(StreamsBuilder builder, String name, Serde<V> values) {
    builder.addStateStore(
        Stores.keyValueStoreBuilder(Stores.persistentKeyValueStore(name), Serdes.String(), values));
  }
}
