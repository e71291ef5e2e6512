package io.advrank.ranker;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.model.ModelSigning;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.Setting;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.runtime.settings.SettingsTable;
import io.advrank.serving.DeviceChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the ranker needs, validated once at start-up: each component is the setting declared
 * below under the same name ({@link #TABLE}); messages name the setting and the bad value.
 *
 * @param kafka how to reach Kafka
 * @param modelTrust keys new model versions must be signed by ({@value ModelSigning#TRUSTED_KEYS});
 *     none = not checked
 */
public record RankerSettings(
    Path modelDir,
    int topK,
    int queryBatchMax,
    Duration queryBatchWait,
    int catalogBatchMax,
    int rebuildItems,
    Duration rebuildInterval,
    String groupId,
    String rankerId,
    int metricsPort,
    KafkaSettings kafka,
    DeviceChoice device,
    ModelTrust modelTrust)
    implements ServiceSettings {

  public static final Setting<Path> MODEL_DIR =
      Setting.path("model.dir", Path.of("models/fmnist-c2f1"), "the model directory to serve");
  public static final Setting<Integer> TOP_K =
      Setting.integer("ranking.k", 10, 1, 1000, "catalog items per ranking");
  public static final Setting<Integer> QUERY_BATCH_MAX =
      Setting.integer("query.batch.max", 64, 1, 4096, "queries embedded together at most");
  public static final Setting<Duration> QUERY_BATCH_WAIT =
      Setting.duration(
          "query.batch.wait",
          Duration.ZERO,
          Duration.ofSeconds(10),
          "how long the first query of a batch may wait for more: latency paid for throughput (0: a"
              + " batch is what one poll returns, which grows by itself under load)");
  public static final Setting<Integer> CATALOG_BATCH_MAX =
      Setting.integer(
          "catalog.batch.max", 256, 1, 4096, "catalog items read and embedded per step");
  public static final Setting<Integer> REBUILD_ITEMS =
      Setting.integer(
          "index.rebuild.items",
          1000,
          1,
          Integer.MAX_VALUE,
          "rebuild the search index after this many catalog changes");
  public static final Setting<Duration> REBUILD_INTERVAL =
      Setting.duration(
          "index.rebuild.interval",
          Duration.ofSeconds(1),
          Duration.ofHours(1),
          "... or when the oldest change not in the index is this old");
  public static final Setting<String> GROUP_ID =
      Setting.name(
          "group.id", "advrank-ranker", "consumer group of the rankers sharing the queries");
  public static final Setting<String> RANKER_ID =
      Setting.name(
          "ranker.id",
          "ranker-0",
          "this instance's name, for client and transactional ids and dead letters; unique per"
              + " instance, the same when it is restarted");
  public static final Setting<Integer> METRICS_PORT = ServiceSettings.metricsPortSetting(9411);
  public static final Setting<DeviceChoice> DEVICE = DeviceChoice.setting("where the model runs");

  /** Default model: the one shipped in the repository. */
  public static final Path DEFAULT_MODEL_DIR = MODEL_DIR.defaultValue();

  /** Default port of the ranker's metrics endpoint. */
  public static final int DEFAULT_METRICS_PORT = METRICS_PORT.defaultValue();

  /** The ranker's settings, declared once; Kafka's, HTTP's and model trust's by key. */
  public static final SettingsTable TABLE =
      SettingsTable.of(
              "ranker",
              MODEL_DIR,
              TOP_K,
              QUERY_BATCH_MAX,
              QUERY_BATCH_WAIT,
              CATALOG_BATCH_MAX,
              REBUILD_ITEMS,
              REBUILD_INTERVAL,
              GROUP_ID,
              RANKER_ID,
              METRICS_PORT,
              DEVICE)
          .with("Kafka", KafkaSettings.KEYS)
          .with("HTTP", HttpAccess.KEYS)
          .with("model trust", ModelSigning.CONSUMER_KEYS);

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = TABLE.keys();

  /** Checks ranges; every message names the setting and the value. */
  public RankerSettings {
    Objects.requireNonNull(modelDir, MODEL_DIR.key());
    Objects.requireNonNull(kafka, "kafka");
    TOP_K.check(topK);
    QUERY_BATCH_MAX.check(queryBatchMax);
    QUERY_BATCH_WAIT.check(queryBatchWait);
    CATALOG_BATCH_MAX.check(catalogBatchMax);
    REBUILD_ITEMS.check(rebuildItems);
    REBUILD_INTERVAL.check(rebuildInterval);
    GROUP_ID.check(groupId);
    RANKER_ID.check(rankerId);
    METRICS_PORT.check(metricsPort);
    device = device == null ? DeviceChoice.parse("cpu") : device;
    modelTrust = modelTrust == null ? ModelTrust.NONE : modelTrust;
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static RankerSettings from(SettingsSource source) {
    return new RankerSettings(
        MODEL_DIR.read(source),
        TOP_K.read(source),
        QUERY_BATCH_MAX.read(source),
        QUERY_BATCH_WAIT.read(source),
        CATALOG_BATCH_MAX.read(source),
        REBUILD_ITEMS.read(source),
        REBUILD_INTERVAL.read(source),
        GROUP_ID.read(source),
        RANKER_ID.read(source),
        METRICS_PORT.read(source),
        KafkaSettings.from(source),
        DEVICE.read(source),
        ModelSigning.trustFrom(source));
  }
}
