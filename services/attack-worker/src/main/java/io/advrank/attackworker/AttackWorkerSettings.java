package io.advrank.attackworker;

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
 * Everything the attack-worker needs, validated once at start-up; messages name the setting and the
 * bad value.
 *
 * @param modelDir the model whose gradients drive the attacks ({@value #MODEL_DIR})
 * @param campaign what to attack ({@value #CAMPAIGN}, seeded by {@value #CAMPAIGN_SEED})
 * @param batchMax events per micro-batch and transaction at most ({@value #BATCH_MAX})
 * @param batchWait how long the first event of a batch may wait for more ({@value #BATCH_WAIT});
 *     default 0: a batch is whatever one poll returns, which grows by itself under load (events
 *     arriving while a PGD batch runs are all in the next poll) and costs no wait when idle
 * @param galleryRebuildItems rebuild the attack gallery after this many new catalog items ({@value
 *     #GALLERY_REBUILD_ITEMS}) ...
 * @param galleryRebuildInterval ... or when the oldest new item is this old ({@value
 *     #GALLERY_REBUILD_INTERVAL})
 * @param maxEventBytes larger input values are dead-lettered unread ({@value #MAX_EVENT_BYTES})
 * @param groupId consumer group: workers of one group share the traffic ({@value #GROUP_ID})
 * @param workerId this instance's stable name; its transactional id is {@code advrank-<workerId>},
 *     so a restarted instance fences its predecessor ({@value #WORKER_ID})
 * @param metricsPort port of {@code /metrics} and {@code /health}; 0 = any ({@value #METRICS_PORT})
 * @param device where PGD runs ({@value #DEVICE})
 * @param kafka how to reach Kafka
 * @param fence the topics it may write and the staging cluster it may attack ({@value
 *     StagingFence#ALLOWED_TOPICS}, {@value StagingFence#STAGING_CLUSTER_ID}; both required)
 * @param modelTrust keys new model versions must be signed by ({@value ModelSigning#TRUSTED_KEYS});
 *     none = not checked
 */
public record AttackWorkerSettings(
    Path modelDir,
    Campaign campaign,
    int batchMax,
    Duration batchWait,
    int galleryRebuildItems,
    Duration galleryRebuildInterval,
    int maxEventBytes,
    String groupId,
    String workerId,
    int metricsPort,
    DeviceChoice device,
    KafkaSettings kafka,
    StagingFence fence,
    ModelTrust modelTrust)
    implements ServiceSettings {

  public static final String MODEL_DIR = "model.dir";
  public static final String CAMPAIGN = "campaign";
  public static final String CAMPAIGN_SEED = "campaign.seed";
  public static final String BATCH_MAX = "batch.max";
  public static final String BATCH_WAIT = "batch.wait";
  public static final String GALLERY_REBUILD_ITEMS = "gallery.rebuild.items";
  public static final String GALLERY_REBUILD_INTERVAL = "gallery.rebuild.interval";
  public static final String MAX_EVENT_BYTES = "event.max.bytes";
  public static final String GROUP_ID = "group.id";
  public static final String WORKER_ID = "worker.id";
  public static final String METRICS_PORT = "metrics.port";
  public static final String DEVICE = "device";

  /** Default model: the one shipped in the repository. */
  public static final Path DEFAULT_MODEL_DIR = Path.of("models/fmnist-c2f1");

  /** Default port of the attack-worker's metrics endpoint. */
  public static final int DEFAULT_METRICS_PORT = 9412;

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = keys();

  private static final String NAME = "[A-Za-z0-9._-]{1,64}";

  /** Checks ranges; every message names the setting and the value. */
  public AttackWorkerSettings {
    Objects.requireNonNull(modelDir, MODEL_DIR);
    Objects.requireNonNull(campaign, CAMPAIGN);
    Objects.requireNonNull(device, DEVICE);
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(fence, "fence");
    modelTrust = modelTrust == null ? ModelTrust.NONE : modelTrust;
    require(batchMax >= 1 && batchMax <= 1024, BATCH_MAX, batchMax, "must be 1..1024");
    requireDuration(batchWait, BATCH_WAIT, Duration.ofSeconds(10));
    require(galleryRebuildItems >= 1, GALLERY_REBUILD_ITEMS, galleryRebuildItems, "must be >= 1");
    requireDuration(galleryRebuildInterval, GALLERY_REBUILD_INTERVAL, Duration.ofHours(1));
    require(maxEventBytes >= 1024, MAX_EVENT_BYTES, maxEventBytes, "must be >= 1024");
    require(groupId != null && groupId.matches(NAME), GROUP_ID, groupId, NAME_RULE);
    require(workerId != null && workerId.matches(NAME), WORKER_ID, workerId, NAME_RULE);
    require(
        metricsPort >= 0 && metricsPort <= 65535, METRICS_PORT, metricsPort, "must be 0..65535");
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static AttackWorkerSettings from(SettingsSource source) {
    return new AttackWorkerSettings(
        Path.of(source.string(MODEL_DIR, DEFAULT_MODEL_DIR.toString())),
        Campaign.parse(source.string(CAMPAIGN, ""), source.longValue(CAMPAIGN_SEED, 0)),
        source.intValue(BATCH_MAX, 32),
        source.duration(BATCH_WAIT, Duration.ZERO),
        source.intValue(GALLERY_REBUILD_ITEMS, 500),
        source.duration(GALLERY_REBUILD_INTERVAL, Duration.ofSeconds(5)),
        source.intValue(MAX_EVENT_BYTES, 1 << 20),
        source.string(GROUP_ID, "advrank-attack-worker"),
        source.string(WORKER_ID, "attack-worker-0"),
        source.intValue(METRICS_PORT, DEFAULT_METRICS_PORT),
        DeviceChoice.parse(source.string(DEVICE, "auto")),
        KafkaSettings.from(source),
        StagingFence.from(source),
        ModelSigning.trustFrom(source));
  }

  /** The producer's {@code transactional.id}: stable per instance, unique per instance. */
  public String transactionalId() {
    return "advrank-" + workerId;
  }

  private static Set<String> keys() {
    Set<String> keys =
        new HashSet<>(
            Set.of(
                MODEL_DIR,
                CAMPAIGN,
                CAMPAIGN_SEED,
                BATCH_MAX,
                BATCH_WAIT,
                GALLERY_REBUILD_ITEMS,
                GALLERY_REBUILD_INTERVAL,
                MAX_EVENT_BYTES,
                GROUP_ID,
                WORKER_ID,
                METRICS_PORT,
                DEVICE,
                StagingFence.ALLOWED_TOPICS,
                StagingFence.STAGING_CLUSTER_ID));
    keys.addAll(KafkaSettings.KEYS);
    keys.addAll(HttpAccess.KEYS); // read by the service's Main
    keys.addAll(ModelSigning.CONSUMER_KEYS);
    return Set.copyOf(keys);
  }
}
