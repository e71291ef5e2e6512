package io.advrank.ranker;

import static io.advrank.runtime.settings.SettingsRules.NAME_RULE;
import static io.advrank.runtime.settings.SettingsRules.require;
import static io.advrank.runtime.settings.SettingsRules.requireDuration;

import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.model.ModelSigning;
import io.advrank.runtime.model.ModelTrust;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.serving.DeviceChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Everything the ranker needs, validated once at start-up; messages name the setting and the bad
 * value.
 *
 * @param modelDir the model directory to serve ({@value #MODEL_DIR})
 * @param topK catalog items per ranking ({@value #TOP_K})
 * @param queryBatchMax queries embedded together at most ({@value #QUERY_BATCH_MAX})
 * @param queryBatchWait how long the first query of a batch may wait for more ({@value
 *     #QUERY_BATCH_WAIT}); the latency paid for throughput. Default 0: a batch is whatever one poll
 *     returns, which grows by itself under load while the previous batch is ranked
 * @param catalogBatchMax catalog items read and embedded per step ({@value #CATALOG_BATCH_MAX})
 * @param rebuildItems rebuild the search index after this many catalog changes ({@value
 *     #REBUILD_ITEMS})
 * @param rebuildInterval ... or when the oldest unindexed change is this old ({@value
 *     #REBUILD_INTERVAL})
 * @param groupId consumer group of the query consumers: rankers in one group share the queries
 *     ({@value #GROUP_ID})
 * @param rankerId this instance's name, for client ids and dead letters ({@value #RANKER_ID})
 * @param metricsPort port of {@code /metrics} and {@code /health}; 0 = any ({@value #METRICS_PORT})
 * @param kafka how to reach Kafka
 * @param device where the model runs ({@value #DEVICE}: auto, cpu, gpu or gpu:N)
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

  public static final String MODEL_DIR = "model.dir";
  public static final String DEVICE = "device";
  public static final String TOP_K = "ranking.k";
  public static final String QUERY_BATCH_MAX = "query.batch.max";
  public static final String QUERY_BATCH_WAIT = "query.batch.wait";
  public static final String CATALOG_BATCH_MAX = "catalog.batch.max";
  public static final String REBUILD_ITEMS = "index.rebuild.items";
  public static final String REBUILD_INTERVAL = "index.rebuild.interval";
  public static final String GROUP_ID = "group.id";
  public static final String RANKER_ID = "ranker.id";
  public static final String METRICS_PORT = "metrics.port";

  /** Default model: the one shipped in the repository. */
  public static final Path DEFAULT_MODEL_DIR = Path.of("models/fmnist-c2f1");

  /** Default port of the ranker's metrics endpoint. */
  public static final int DEFAULT_METRICS_PORT = 9411;

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = keys();

  private static final String NAME = "[A-Za-z0-9._-]{1,64}";

  /** Checks ranges; every message names the setting and the value. */
  public RankerSettings {
    Objects.requireNonNull(modelDir, MODEL_DIR);
    Objects.requireNonNull(kafka, "kafka");
    require(topK >= 1 && topK <= 1000, TOP_K, topK, "must be 1..1000");
    require(
        queryBatchMax >= 1 && queryBatchMax <= 4096,
        QUERY_BATCH_MAX,
        queryBatchMax,
        "must be 1..4096");
    requireDuration(queryBatchWait, QUERY_BATCH_WAIT, Duration.ofSeconds(10));
    require(
        catalogBatchMax >= 1 && catalogBatchMax <= 4096,
        CATALOG_BATCH_MAX,
        catalogBatchMax,
        "must be 1..4096");
    require(rebuildItems >= 1, REBUILD_ITEMS, rebuildItems, "must be >= 1");
    requireDuration(rebuildInterval, REBUILD_INTERVAL, Duration.ofHours(1));
    require(groupId != null && groupId.matches(NAME), GROUP_ID, groupId, NAME_RULE);
    require(rankerId != null && rankerId.matches(NAME), RANKER_ID, rankerId, NAME_RULE);
    device = device == null ? DeviceChoice.parse("cpu") : device;
    modelTrust = modelTrust == null ? ModelTrust.NONE : modelTrust;
    require(
        metricsPort >= 0 && metricsPort <= 65535, METRICS_PORT, metricsPort, "must be 0..65535");
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static RankerSettings from(SettingsSource source) {
    return new RankerSettings(
        Path.of(source.string(MODEL_DIR, DEFAULT_MODEL_DIR.toString())),
        source.intValue(TOP_K, 10),
        source.intValue(QUERY_BATCH_MAX, 64),
        source.duration(QUERY_BATCH_WAIT, Duration.ZERO),
        source.intValue(CATALOG_BATCH_MAX, 256),
        source.intValue(REBUILD_ITEMS, 1000),
        source.duration(REBUILD_INTERVAL, Duration.ofSeconds(1)),
        source.string(GROUP_ID, "advrank-ranker"),
        source.string(RANKER_ID, "ranker-0"),
        source.intValue(METRICS_PORT, DEFAULT_METRICS_PORT),
        KafkaSettings.from(source),
        DeviceChoice.parse(source.string(DEVICE, "auto")),
        ModelSigning.trustFrom(source));
  }

  private static Set<String> keys() {
    Set<String> keys =
        new HashSet<>(
            Set.of(
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
                DEVICE));
    keys.addAll(KafkaSettings.KEYS);
    keys.addAll(HttpAccess.KEYS); // read by the service's Main
    keys.addAll(ModelSigning.CONSUMER_KEYS);
    return Set.copyOf(keys);
  }
}
