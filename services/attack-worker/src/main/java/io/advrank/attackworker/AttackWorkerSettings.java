package io.advrank.attackworker;

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
 * Everything the attack-worker needs, validated once at start-up: each component is the setting
 * declared below under the same name ({@link #TABLE}); messages name the setting and the bad value.
 *
 * @param campaign what to attack ({@link #CAMPAIGN}, seeded by {@link #CAMPAIGN_SEED})
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

  public static final Setting<Path> MODEL_DIR =
      Setting.path(
          "model.dir",
          Path.of("models/fmnist-c2f1"),
          "the model whose gradients drive the attacks");
  public static final Setting<String> CAMPAIGN =
      Setting.text(
          "campaign",
          "",
          "(?s).*",
          "must be attacks separated by ;, each TYPE key=value...",
          "what to attack, e.g. 'CA+ eps=8/255 w=1 fraction=0.3; SP-QA+ eps=8/255 m=1 fraction=0.2'; empty = no"
              + " attacks, every event forwarded unchanged");
  public static final Setting<Long> CAMPAIGN_SEED =
      Setting.longInteger(
          "campaign.seed",
          0,
          Long.MIN_VALUE,
          Long.MAX_VALUE,
          "seed of the campaign's choices (which events, which targets)");
  public static final Setting<Integer> BATCH_MAX =
      Setting.integer("batch.max", 32, 1, 1024, "events per micro-batch and transaction at most");
  public static final Setting<Duration> BATCH_WAIT =
      Setting.duration(
          "batch.wait",
          Duration.ZERO,
          Duration.ofSeconds(10),
          "how long the first event of a batch may wait for more; 0: a batch is what one poll"
              + " returns, which grows by itself under load and costs no wait when idle");
  public static final Setting<Integer> GALLERY_REBUILD_ITEMS =
      Setting.integer(
          "gallery.rebuild.items",
          500,
          1,
          Integer.MAX_VALUE,
          "rebuild the attack gallery after this many new catalog items");
  public static final Setting<Duration> GALLERY_REBUILD_INTERVAL =
      Setting.duration(
          "gallery.rebuild.interval",
          Duration.ofSeconds(5),
          Duration.ofHours(1),
          "... or when the oldest new item is this old");
  public static final Setting<Integer> MAX_EVENT_BYTES =
      Setting.integer(
          "event.max.bytes",
          1 << 20,
          1024,
          Integer.MAX_VALUE,
          "larger input values are dead-lettered unread");
  public static final Setting<String> GROUP_ID =
      Setting.name(
          "group.id",
          "advrank-attack-worker",
          "consumer group: workers of one group share the traffic");
  public static final Setting<String> WORKER_ID =
      Setting.name(
          "worker.id",
          "attack-worker-0",
          "this instance's stable name; its transactional id is advrank-<worker.id>, so a"
              + " restarted instance fences its predecessor");
  public static final Setting<Integer> METRICS_PORT = ServiceSettings.metricsPortSetting(9412);
  public static final Setting<DeviceChoice> DEVICE = DeviceChoice.setting("where PGD runs");

  /** Default model: the one shipped in the repository. */
  public static final Path DEFAULT_MODEL_DIR = MODEL_DIR.defaultValue();

  /** Default port of the attack-worker's metrics endpoint. */
  public static final int DEFAULT_METRICS_PORT = METRICS_PORT.defaultValue();

  /** The attack-worker's settings, declared once; the shared groups by key. */
  public static final SettingsTable TABLE =
      SettingsTable.of(
              "attack-worker",
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
              DEVICE)
          .with(
              "staging fence (required)",
              Set.of(StagingFence.ALLOWED_TOPICS, StagingFence.STAGING_CLUSTER_ID))
          .with("Kafka", KafkaSettings.KEYS)
          .with("HTTP", HttpAccess.KEYS)
          .with("model trust", ModelSigning.CONSUMER_KEYS);

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = TABLE.keys();

  /** Checks ranges; every message names the setting and the value. */
  public AttackWorkerSettings {
    Objects.requireNonNull(modelDir, MODEL_DIR.key());
    Objects.requireNonNull(campaign, CAMPAIGN.key());
    Objects.requireNonNull(device, DEVICE.key());
    Objects.requireNonNull(kafka, "kafka");
    Objects.requireNonNull(fence, "fence");
    modelTrust = modelTrust == null ? ModelTrust.NONE : modelTrust;
    BATCH_MAX.check(batchMax);
    BATCH_WAIT.check(batchWait);
    GALLERY_REBUILD_ITEMS.check(galleryRebuildItems);
    GALLERY_REBUILD_INTERVAL.check(galleryRebuildInterval);
    MAX_EVENT_BYTES.check(maxEventBytes);
    GROUP_ID.check(groupId);
    WORKER_ID.check(workerId);
    METRICS_PORT.check(metricsPort);
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static AttackWorkerSettings from(SettingsSource source) {
    return new AttackWorkerSettings(
        MODEL_DIR.read(source),
        Campaign.parse(CAMPAIGN.read(source), CAMPAIGN_SEED.read(source)),
        BATCH_MAX.read(source),
        BATCH_WAIT.read(source),
        GALLERY_REBUILD_ITEMS.read(source),
        GALLERY_REBUILD_INTERVAL.read(source),
        MAX_EVENT_BYTES.read(source),
        GROUP_ID.read(source),
        WORKER_ID.read(source),
        METRICS_PORT.read(source),
        DEVICE.read(source),
        KafkaSettings.from(source),
        StagingFence.from(source),
        ModelSigning.trustFrom(source));
  }

  /** The producer's {@code transactional.id}: stable per instance, unique per instance. */
  public String transactionalId() {
    return "advrank-" + workerId;
  }
}
