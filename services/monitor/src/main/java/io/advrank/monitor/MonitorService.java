package io.advrank.monitor;

import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import io.advrank.proto.v1.AnomalyAlert;
import io.advrank.proto.v1.ItemDrift;
import io.advrank.runtime.kafka.ClientProperties;
import io.advrank.runtime.lifecycle.RunningService;
import io.advrank.runtime.metrics.Health;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.kafka.KafkaStreamsMetrics;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.streams.KafkaStreams;
import org.apache.kafka.streams.StoreQueryParameters;
import org.apache.kafka.streams.StreamsConfig;
import org.apache.kafka.streams.errors.InvalidStateStoreException;
import org.apache.kafka.streams.errors.StreamsUncaughtExceptionHandler.StreamThreadExceptionResponse;
import org.apache.kafka.streams.state.KeyValueIterator;
import org.apache.kafka.streams.state.QueryableStoreTypes;
import org.apache.kafka.streams.state.ReadOnlyKeyValueStore;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The monitor as a running service: {@link MonitorTopology} in a {@link KafkaStreams} instance with
 * exactly-once v2, and the interactive queries over its stores. Inputs and outputs are those of the
 * topology ({@code advrank.rankings} → {@code advrank.alerts}, {@code advrank.dead-letter}).
 */
public final class MonitorService implements RunningService {
  private static final Logger LOG = LoggerFactory.getLogger(MonitorService.class);

  private final KafkaStreams streams;
  private final KafkaStreamsMetrics streamsMetrics;
  private final ManifestReader manifests;
  private final VersionThresholds thresholds;
  private final AtomicReference<Throwable> failure = new AtomicReference<>();

  private MonitorService(
      KafkaStreams streams,
      KafkaStreamsMetrics streamsMetrics,
      ManifestReader manifests,
      VersionThresholds thresholds) {
    this.streams = streams;
    this.streamsMetrics = streamsMetrics;
    this.manifests = manifests;
    this.thresholds = thresholds;
  }

  /**
   * Builds the topology and the Streams client; nothing runs until {@link #start()}.
   *
   * @throws IllegalArgumentException when {@code model.dir} has no readable manifest
   */
  public static MonitorService create(MonitorSettings settings, MeterRegistry registry) {
    VersionThresholds thresholds = new VersionThresholds(settings.falsePositiveRate());
    if (settings.modelDir() != null && settings.thresholdsFromManifest()) {
      baseThresholds(settings, thresholds);
    }
    KafkaStreams streams =
        new KafkaStreams(
            MonitorTopology.build(settings, new MonitorMetrics(registry), thresholds),
            properties(settings));
    KafkaStreamsMetrics streamsMetrics = new KafkaStreamsMetrics(streams);
    streamsMetrics.bindTo(registry);
    ManifestReader manifests =
        settings.thresholdsFromManifest()
            ? new ManifestReader(settings.kafka().bootstrapServers(), thresholds)
            : null;
    MonitorService service = new MonitorService(streams, streamsMetrics, manifests, thresholds);
    streams.setUncaughtExceptionHandler(
        e -> {
          service.failure.compareAndSet(null, e);
          return StreamThreadExceptionResponse.SHUTDOWN_CLIENT;
        });
    return service;
  }

  /** The Streams configuration: the only place the monitor's Kafka properties are set. */
  static Properties properties(MonitorSettings settings) {
    Properties p = new Properties();
    p.put(StreamsConfig.APPLICATION_ID_CONFIG, settings.applicationId());
    p.put(StreamsConfig.BOOTSTRAP_SERVERS_CONFIG, settings.kafka().bootstrapServers());
    p.put(StreamsConfig.PROCESSING_GUARANTEE_CONFIG, StreamsConfig.EXACTLY_ONCE_V2);
    p.put(StreamsConfig.REPLICATION_FACTOR_CONFIG, (int) settings.kafka().replicationFactor());
    p.put(StreamsConfig.STATE_DIR_CONFIG, settings.stateDir().toString());
    // A new monitor judges the rankings already on the topic: they are its calibration traffic.
    p.put(StreamsConfig.consumerPrefix(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG), "earliest");
    // One bounded block cache and memtable budget for all the stores (28 RocksDB instances).
    p.put(StreamsConfig.ROCKSDB_CONFIG_SETTER_CLASS_CONFIG, BoundedRocksDbMemory.class);
    return ClientProperties.secured(p);
  }

  /** The base version's thresholds, from the manifest in {@code model.dir}. */
  private static void baseThresholds(MonitorSettings settings, VersionThresholds thresholds) {
    Path file = settings.modelDir().resolve(ModelManifest.FILE_NAME);
    ModelManifest manifest;
    try {
      manifest = ModelManifest.fromJson(Files.readString(file), file.toString());
    } catch (IOException | ModelException e) {
      throw new IllegalArgumentException(
          MonitorSettings.MODEL_DIR.key() + ": cannot read " + file + ": " + e.getMessage(), e);
    }
    if (manifest.detection() == null) {
      LOG.info("{} has no detector thresholds: calibrating on live traffic", manifest.version());
    } else if (!thresholds.put(manifest.version(), manifest.detection())) {
      LOG.warn(
          "{}: thresholds set for fpr {}, not {} = {}: calibrating on live traffic",
          manifest.version(),
          manifest.detection().falsePositiveRate(),
          MonitorSettings.FALSE_POSITIVE_RATE.key(),
          settings.falsePositiveRate());
    }
  }

  @Override
  public void start() {
    if (manifests != null) {
      manifests.start();
    }
    streams.start();
  }

  /** The detector thresholds of the model versions known so far. */
  public VersionThresholds thresholds() {
    return thresholds;
  }

  /** The error that stopped the Streams threads, if any; the service should then exit. */
  @Override
  public Optional<Throwable> failure() {
    return Optional.ofNullable(failure.get());
  }

  @Override
  public Health health() {
    KafkaStreams.State state = streams.state();
    Throwable error = failure.get();
    boolean healthy =
        error == null && (state.isRunningOrRebalancing() || state == KafkaStreams.State.CREATED);
    return new Health(
        healthy,
        error == null
            ? Map.of("streams", state.name())
            : Map.of("streams", state.name(), "error", error.toString()));
  }

  /** Whether the Streams client is processing (all tasks assigned and restored). */
  public boolean running() {
    return streams.state() == KafkaStreams.State.RUNNING;
  }

  /** The item's rank-drift state on this instance, if it is here. */
  public Optional<ItemDrift> drift(String itemId) {
    return Optional.ofNullable(store(MonitorTopology.ITEM_DRIFT, ItemDrift.class).get(itemId));
  }

  /** The items with the largest last drift score on this instance, largest first. */
  public List<ItemDrift> topDrift(int limit) {
    List<ItemDrift> all = new ArrayList<>();
    try (KeyValueIterator<String, ItemDrift> it =
        store(MonitorTopology.ITEM_DRIFT, ItemDrift.class).all()) {
      it.forEachRemaining(kv -> all.add(kv.value));
    }
    all.sort(Comparator.comparingDouble(ItemDrift::getLastScore).reversed());
    return all.subList(0, Math.min(limit, all.size()));
  }

  /** The newest alerts of the retained windows on this instance, newest first. */
  public List<AnomalyAlert> recentAlerts(int limit) {
    List<AnomalyAlert> all = new ArrayList<>();
    for (String name :
        List.of(
            MonitorTopology.ITEM_ALERTS,
            MonitorTopology.QUERY_ALERTS,
            MonitorTopology.CATALOG_ALERTS)) {
      try (KeyValueIterator<String, AnomalyAlert> it = store(name, AnomalyAlert.class).all()) {
        it.forEachRemaining(kv -> all.add(kv.value));
      }
    }
    all.sort(
        Comparator.comparingLong(AnomalyAlert::getRaisedAtMs)
            .thenComparing(AnomalyAlert::getAlertId)
            .reversed());
    return all.subList(0, Math.min(limit, all.size()));
  }

  private <V> ReadOnlyKeyValueStore<String, V> store(String name, Class<V> type) {
    try {
      return streams.store(
          StoreQueryParameters.fromNameAndType(
              name, QueryableStoreTypes.<String, V>keyValueStore()));
    } catch (InvalidStateStoreException e) {
      throw new IllegalStateException(
          "store " + name + " is not queryable now: " + e.getMessage(), e);
    }
  }

  /** Stops the Streams threads (committing their work) and releases the state. */
  @Override
  public void close() {
    streams.close(Duration.ofSeconds(30));
    streamsMetrics.close();
    if (manifests != null) {
      manifests.close();
    }
  }
}
