package io.advrank.defensetrainer;

import static io.advrank.runtime.settings.SettingsRules.NAME_RULE;
import static io.advrank.runtime.settings.SettingsRules.require;
import static io.advrank.runtime.settings.SettingsRules.requireDuration;

import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.Epsilons;
import io.advrank.runtime.http.HttpAccess;
import io.advrank.runtime.model.ModelSigning;
import io.advrank.runtime.settings.KafkaSettings;
import io.advrank.runtime.settings.ServiceSettings;
import io.advrank.runtime.settings.SettingsException;
import io.advrank.runtime.settings.SettingsSource;
import io.advrank.serving.DeviceChoice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashSet;
import java.util.Objects;
import java.util.Set;

/**
 * Settings of the defense-trainer.
 *
 * @param modelDir the model to start from when {@code advrank.models} holds none ({@value
 *     #MODEL_DIR})
 * @param batchSize images per EST step, even ({@value #BATCH_SIZE}); a step costs about 1 + {@code
 *     attackIterations} clean steps, so keep it small on a CPU
 * @param learningRate Adam's step size for fine-tuning ({@value #LEARNING_RATE}); 2e-4 kept more
 *     R@1 per point of robustness than 5e-4 in offline fine-tunes (README, "Defense")
 * @param epsilon ε of the inner ES-PGD ({@value #EPSILON}, {@code 0.3} or {@code 8/255}; by default
 *     the profile's: the paper's 0.3, rob224's 8/255)
 * @param attackIterations iterations of the inner ES-PGD, with α = 2ε / iterations ({@value
 *     #ATTACK_ITERATIONS}); 5 where the paper runs 30 at ε 0.3: with the ε warm-up, 5 reached the
 *     same R@1 and robustness as 10 offline in 37 % less time (README, "Defense")
 * @param profile {@value #PROFILE}: {@code paper} (28-px images) or {@code rob224} (224-px photos):
 *     the inner attack's default ε, and the probe attacks the gate measures versions by ({@link
 *     Figures#probes})
 * @param defense {@value #DEFENSE}: {@code est} (the paper's embedding-shifted triplets) or {@code
 *     act} (robrank's anti-collapse triplets; same ε and iterations, no warm-up or clean share)
 * @param epsilonWarmupSteps EST steps over which the inner attack's ε grows linearly to {@code
 *     epsilon} ({@value #EPSILON_WARMUP_STEPS}); 0 attacks with the full ε from the first step
 * @param cleanWeight share w of clean triplets in every step, L = w·L(x) + (1 − w)·L(x̃), in [0, 1)
 *     ({@value #CLEAN_WEIGHT}); 0 is the paper's EST
 * @param margin triplet margin β of the fine-tune's loss ({@value #MARGIN}); the paper trains with
 *     0.2; 1.9, near the largest cosine distance 2, keeps every triplet active and bought the most
 *     robustness per R@1 point lost, offline and in the 15-minute demo (README, "Defense")
 * @param weightAveraging decay δ of the exponential moving average of the weights that candidates
 *     are measured and published with, in [0, 1) ({@value #WEIGHT_AVERAGING}); 0 publishes the
 *     trained weights themselves
 * @param bufferImages capacity of the rolling training buffer ({@value #BUFFER_IMAGES})
 * @param heldOutImages labelled catalog images kept out of training for R@1 ({@value
 *     #HELD_OUT_IMAGES}); the first {@code probeItems} of them are the fixed attack probe set
 * @param probeItems items attacked per figure at evaluation ({@value #PROBE_ITEMS})
 * @param evalSteps evaluate a candidate every this many EST steps ({@value #EVAL_STEPS}); steps of
 *     5 iterations cost about a fifth of the paper's 30, so 125 of them take about as long as 25
 *     did
 * @param evalInterval ... or once this long has passed since the last evaluation ({@value
 *     #EVAL_INTERVAL}), whichever comes first
 * @param maxRecallDrop the gate: largest allowed R@1 drop below the version the trainer started
 *     from ({@value #MAX_RECALL_DROP})
 * @param minRobustnessGain the gate: least gain of the gate's metric, in percentage points of
 *     robustness or points of ERS ({@value #MIN_ROBUSTNESS_GAIN}); -100 lets any candidate within
 *     the R@1 budget through
 * @param gateMetric {@value #GATE_METRIC}: {@code robustness} (the default: mean rank percentile
 *     after the CA+ and SP-QA+ probes) or {@code ers} (robrank's ERS over its whole suite on the
 *     probe items, about 3× the probes' cost)
 * @param versionPrefix prefix of published version ids ({@value #VERSION_PREFIX})
 * @param groupId consumer group of the catalog and variant readers ({@value #GROUP_ID})
 * @param trainerId this instance's name ({@value #TRAINER_ID})
 * @param metricsPort port of {@code /metrics}; 0 = any ({@value #METRICS_PORT})
 * @param kafka how to reach Kafka
 * @param device where the model trains ({@value #DEVICE}: auto, cpu, gpu or gpu:N)
 * @param signing the key it signs published versions with and the keys the versions it starts from
 *     must be signed by ({@value ModelSigning#SIGNING_KEY}, {@value ModelSigning#TRUSTED_KEYS})
 */
public record DefenseTrainerSettings(
    Path modelDir,
    int batchSize,
    float learningRate,
    double epsilon,
    int attackIterations,
    AttackProfile profile,
    String defense,
    long epsilonWarmupSteps,
    double cleanWeight,
    float margin,
    double weightAveraging,
    int bufferImages,
    int heldOutImages,
    int probeItems,
    int evalSteps,
    Duration evalInterval,
    double maxRecallDrop,
    double minRobustnessGain,
    GateMetric gateMetric,
    String versionPrefix,
    String groupId,
    String trainerId,
    int metricsPort,
    KafkaSettings kafka,
    DeviceChoice device,
    ModelSigning signing)
    implements ServiceSettings {

  public static final String MODEL_DIR = "model.dir";
  public static final String BATCH_SIZE = "train.batch.size";
  public static final String LEARNING_RATE = "train.learning.rate";
  public static final String EPSILON = "train.epsilon";
  public static final String ATTACK_ITERATIONS = "train.attack.iterations";
  public static final String PROFILE = "train.profile";
  public static final String DEFENSE = "train.defense";
  public static final String EPSILON_WARMUP_STEPS = "train.epsilon.warmup.steps";
  public static final String CLEAN_WEIGHT = "train.clean.weight";
  public static final String MARGIN = "train.margin";
  public static final String WEIGHT_AVERAGING = "train.weight.averaging";
  public static final String BUFFER_IMAGES = "buffer.images";
  public static final String HELD_OUT_IMAGES = "heldout.images";
  public static final String PROBE_ITEMS = "probe.items";
  public static final String EVAL_STEPS = "eval.steps";
  public static final String EVAL_INTERVAL = "eval.interval";
  public static final String MAX_RECALL_DROP = "gate.max.recall.drop";
  public static final String MIN_ROBUSTNESS_GAIN = "gate.min.robustness.gain";
  public static final String GATE_METRIC = "gate.metric";
  public static final String VERSION_PREFIX = "version.prefix";
  public static final String DEVICE = "device";
  public static final String GROUP_ID = "group.id";
  public static final String TRAINER_ID = "trainer.id";
  public static final String METRICS_PORT = "metrics.port";

  /** Default port of the defense-trainer's metrics endpoint. */
  public static final int DEFAULT_METRICS_PORT = 9414;

  /** Every key this service reads, Kafka's included. */
  public static final Set<String> KEYS = keys();

  private static final String NAME = "[A-Za-z0-9._-]{1,64}";

  /** Checks ranges; every message names the setting and the value. */
  public DefenseTrainerSettings {
    Objects.requireNonNull(modelDir, MODEL_DIR);
    Objects.requireNonNull(kafka, "kafka");
    require(
        batchSize >= 4 && batchSize <= 1024 && batchSize % 2 == 0,
        BATCH_SIZE,
        batchSize,
        "must be an even number in 4..1024");
    require(learningRate > 0 && learningRate < 1, LEARNING_RATE, learningRate, "must be in (0, 1)");
    require(epsilon > 0 && epsilon <= 1, EPSILON, epsilon, "must be in (0, 1]");
    require(
        attackIterations >= 1 && attackIterations <= 1000,
        ATTACK_ITERATIONS,
        attackIterations,
        "must be in 1..1000");
    require(
        epsilonWarmupSteps >= 0 && epsilonWarmupSteps <= 10_000_000,
        EPSILON_WARMUP_STEPS,
        epsilonWarmupSteps,
        "must be 0..10000000");
    require(cleanWeight >= 0 && cleanWeight < 1, CLEAN_WEIGHT, cleanWeight, "must be in [0, 1)");
    require(margin > 0 && margin < 2, MARGIN, margin, "must be in (0, 2)");
    require(
        weightAveraging >= 0 && weightAveraging < 1,
        WEIGHT_AVERAGING,
        weightAveraging,
        "must be in [0, 1)");
    require(bufferImages >= batchSize, BUFFER_IMAGES, bufferImages, "must be >= " + BATCH_SIZE);
    require(
        heldOutImages >= 20 && heldOutImages <= 10_000,
        HELD_OUT_IMAGES,
        heldOutImages,
        "must be 20..10000");
    require(
        probeItems >= 1 && probeItems <= heldOutImages,
        PROBE_ITEMS,
        probeItems,
        "must be 1.." + HELD_OUT_IMAGES);
    require(evalSteps >= 1, EVAL_STEPS, evalSteps, "must be >= 1");
    requireDuration(evalInterval, EVAL_INTERVAL, Duration.ofDays(1));
    require(
        maxRecallDrop >= 0 && maxRecallDrop <= 1, MAX_RECALL_DROP, maxRecallDrop, "must be 0..1");
    require(
        minRobustnessGain >= -100 && minRobustnessGain <= 100,
        MIN_ROBUSTNESS_GAIN,
        minRobustnessGain,
        "must be -100..100 (percentage points)");
    require(
        versionPrefix != null && versionPrefix.matches("[A-Za-z0-9._-]{1,40}"),
        VERSION_PREFIX,
        versionPrefix,
        "must be 1..40 of [A-Za-z0-9._-]");
    require(groupId != null && groupId.matches(NAME), GROUP_ID, groupId, NAME_RULE);
    require(trainerId != null && trainerId.matches(NAME), TRAINER_ID, trainerId, NAME_RULE);
    require(
        metricsPort >= 0 && metricsPort <= 65535, METRICS_PORT, metricsPort, "must be 0..65535");
    device = device == null ? DeviceChoice.parse("cpu") : device;
    signing = signing == null ? ModelSigning.NONE : signing;
    gateMetric = gateMetric == null ? GateMetric.ROBUSTNESS : gateMetric;
    Objects.requireNonNull(profile, PROFILE);
    require("est".equals(defense) || "act".equals(defense), DEFENSE, defense, "must be est or act");
  }

  /** Reads the settings from flags, environment and file, with defaults for a local demo. */
  public static DefenseTrainerSettings from(SettingsSource source) {
    return new DefenseTrainerSettings(
        Path.of(source.string(MODEL_DIR, "models/fmnist-c2f1")),
        source.intValue(BATCH_SIZE, 16),
        (float) source.doubleValue(LEARNING_RATE, 2e-4),
        epsilon(source, profile(source)),
        source.intValue(ATTACK_ITERATIONS, 5),
        profile(source),
        source.string(DEFENSE, "est"),
        source.longValue(EPSILON_WARMUP_STEPS, 1500),
        source.doubleValue(CLEAN_WEIGHT, 0),
        (float) source.doubleValue(MARGIN, 1.9),
        source.doubleValue(WEIGHT_AVERAGING, 0.998),
        source.intValue(BUFFER_IMAGES, 4096),
        source.intValue(HELD_OUT_IMAGES, 500),
        source.intValue(PROBE_ITEMS, 50),
        source.intValue(EVAL_STEPS, 125),
        source.duration(EVAL_INTERVAL, Duration.ofMinutes(3)),
        source.doubleValue(MAX_RECALL_DROP, 0.06),
        source.doubleValue(MIN_ROBUSTNESS_GAIN, 0.5),
        gateMetric(source),
        source.string(VERSION_PREFIX, "fmnist-c2f1-est"),
        source.string(GROUP_ID, "advrank-defense-trainer"),
        source.string(TRAINER_ID, "defense-trainer-0"),
        source.intValue(METRICS_PORT, DEFAULT_METRICS_PORT),
        KafkaSettings.from(source),
        DeviceChoice.parse(source.string(DEVICE, "auto")),
        ModelSigning.from(source));
  }

  private static AttackProfile profile(SettingsSource source) {
    try {
      return AttackProfile.parse(source.string(PROFILE, AttackProfile.PAPER.label()));
    } catch (IllegalArgumentException e) {
      throw new SettingsException(PROFILE + ": " + e.getMessage());
    }
  }

  private static GateMetric gateMetric(SettingsSource source) {
    try {
      return GateMetric.parse(GATE_METRIC, source.string(GATE_METRIC, "robustness"));
    } catch (IllegalArgumentException e) {
      throw new SettingsException(e.getMessage());
    }
  }

  /** {@value #EPSILON} as {@code 0.3} or {@code 8/255}; by default the profile's. */
  private static double epsilon(SettingsSource source, AttackProfile profile) {
    String raw = source.string(EPSILON, Epsilons.format(profile.defaultEpsilon()));
    try {
      return Epsilons.parse(raw);
    } catch (IllegalArgumentException e) {
      throw new SettingsException(EPSILON + ": " + e.getMessage());
    }
  }

  private static Set<String> keys() {
    Set<String> keys =
        new HashSet<>(
            Set.of(
                MODEL_DIR,
                BATCH_SIZE,
                LEARNING_RATE,
                EPSILON,
                ATTACK_ITERATIONS,
                PROFILE,
                DEFENSE,
                EPSILON_WARMUP_STEPS,
                CLEAN_WEIGHT,
                MARGIN,
                WEIGHT_AVERAGING,
                BUFFER_IMAGES,
                HELD_OUT_IMAGES,
                PROBE_ITEMS,
                EVAL_STEPS,
                EVAL_INTERVAL,
                MAX_RECALL_DROP,
                MIN_ROBUSTNESS_GAIN,
                GATE_METRIC,
                VERSION_PREFIX,
                GROUP_ID,
                TRAINER_ID,
                METRICS_PORT,
                DEVICE));
    keys.addAll(KafkaSettings.KEYS);
    keys.addAll(HttpAccess.KEYS); // read by the service's Main
    keys.addAll(ModelSigning.KEYS);
    return Set.copyOf(keys);
  }
}
