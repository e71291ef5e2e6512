package io.advrank.cli;

import ai.djl.Device;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.Epsilons;
import io.advrank.core.attack.PgdSchedule;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.defense.ActDefense;
import io.advrank.core.defense.Defense;
import io.advrank.core.defense.EstDefense;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.ModelManifest;
import io.advrank.core.model.ModelSpec;
import io.advrank.core.ranking.RetrievalMetrics;
import io.advrank.core.train.NegativeSampling;
import io.advrank.core.train.TrainListener.EpochStats;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletTrainer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code advrank train}: trains a C2F1 with the cosine triplet loss and saves a model directory.
 */
@Command(
    name = "train",
    mixinStandardHelpOptions = true,
    description =
        "Train the paper's C2F1 embedding network with the cosine triplet loss (Adam, margin "
            + "0.2 by default) and save it as a model directory (weights + manifest.json), "
            + "checkpointing every epoch.")
final class TrainCommand implements Callable<Integer> {
  @Mixin DataOptions data;
  @Mixin OutputOptions output;
  @Spec CommandSpec spec;

  @Option(
      names = "--recipe",
      paramLabel = "paper|finetune",
      description =
          "A documented preset of the flags below; flags given explicitly override its values"
              + " (docs/defense.md). paper, EST from scratch as the paper trains it (ES-PGD eps"
              + " 0.3, alpha 0.01, 30 iterations): "
              + TrainRecipe.PAPER
              + ". finetune, the shipped EST model's fine-tune of the vanilla model: "
              + TrainRecipe.FINETUNE
              + " (warm-up over all steps).")
  String recipe;

  @Option(
      names = "--out",
      defaultValue = "runs/fmnist-c2f1",
      description = "Model directory to write (default: ${DEFAULT-VALUE}).")
  Path out;

  @Option(
      names = "--epochs",
      defaultValue = "8",
      description =
          "Passes over the training set (default: ${DEFAULT-VALUE}; the paper allows up to 30).")
  int epochs;

  @Option(
      names = "--batch-size",
      defaultValue = "1000",
      description = "Images per step (default: ${DEFAULT-VALUE}).")
  int batchSize;

  @Option(
      names = "--lr",
      defaultValue = "1e-3",
      description = "Adam learning rate (default: ${DEFAULT-VALUE}).")
  float learningRate;

  @Option(
      names = "--seed",
      defaultValue = "0",
      description = "Random seed (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--train-limit",
      description =
          "Train on the first N training images only (with --validation, the first N of those"
              + " not held out); an N beyond the training set uses all of it (default: all).")
  Integer trainLimit;

  @Option(
      names = "--eval-limit",
      paramLabel = "N",
      description =
          "Test images used for the R@1 reported after each epoch (default: 10000); 0 skips the"
              + " test set. With --validation the per-epoch R@1 is the hold-out's and the test set"
              + " is not scored unless N is given, then once, at the end of the run.")
  Integer evalLimit;

  @Option(
      names = "--validation",
      defaultValue = "0",
      description =
          "Hold out N training images (a random subset drawn with --seed, never trained on) and"
              + " report R@1 per epoch on them instead of the test set, which is then not scored"
              + " (--eval-limit N scores it once, at the end). Choose knobs on these validation"
              + " figures, not on test figures (default: ${DEFAULT-VALUE}, no validation split).")
  int validation;

  @Option(
      names = "--validation-seed",
      paramLabel = "S",
      description =
          "Draw the --validation hold-out with seed S instead of --seed, so runs under other"
              + " seeds (batch order, negatives, initial weights) share one validation set and"
              + " `table --split validation --seed S` scores them all (default: --seed).")
  Long validationSeed;

  @Option(
      names = "--defense",
      defaultValue = "none",
      description =
          "none; est: embedding-shifted triplet training, the paper's defense (ES-PGD on "
              + "every batch, then the triplet step on the adversarial images; a step costs about "
              + "1 + N clean steps for N inner iterations, 30 by default); or act: robrank's "
              + "anti-collapse triplet training (PGD moves each triplet's positive and negative "
              + "towards each other, then the step on the clean anchor and both; 32 iterations of"
              + " 3/255, or 1/255 under rob224) (default: ${DEFAULT-VALUE}).")
  String defense;

  @Option(
      names = "--eps",
      converter = EpsilonConverter.class,
      description =
          "Epsilon of the defense's inner attack, in (0, 1], as 0.3 or 8/255 (default: the profile's,"
              + " 0.3 or 8/255).")
  Double eps;

  @Mixin ProfileOption profile;

  @Mixin DeviceOption device;

  @Option(
      names = "--attack-iterations",
      description =
          "With --defense est or act: iterations N of the inner PGD, with alpha = 2*eps/N; fewer "
              + "make each step cheaper (default: the paper's schedule, 30 at eps 0.3).")
  Integer attackIterations;

  @Option(
      names = "--clean-weight",
      defaultValue = "0",
      description =
          "With --defense est: share w of clean triplets in every step, L = w*L(x) + "
              + "(1-w)*L(x~), in [0, 1); 0 is the paper's EST (default: ${DEFAULT-VALUE}).")
  double cleanWeight;

  @Option(
      names = "--shift-weight",
      defaultValue = "0",
      description =
          "With --defense est: add lambda * mean d(f(x), f(x~)), penalising the embedding "
              + "shift the inner attack found; >= 0, 0 is the paper's EST (default: "
              + "${DEFAULT-VALUE}).")
  double shiftWeight;

  @Option(
      names = "--eps-warmup",
      defaultValue = "0",
      paramLabel = "N|all",
      description =
          "With --defense est: raise the inner attack's epsilon linearly from 0 over the first N "
              + "steps, or over every step of the run (all); 0 is the paper's EST (default: "
              + "${DEFAULT-VALUE}).")
  String epsWarmup;

  private long warmupSteps;

  @Option(
      names = "--margin",
      defaultValue = "0.2",
      description =
          "Triplet margin beta of the cosine triplet loss, in (0, 2) (default: ${DEFAULT-VALUE}, "
              + "the paper's).")
  float margin;

  @Option(
      names = "--weight-averaging",
      defaultValue = "0",
      paramLabel = "DECAY",
      description =
          "Keep an exponential moving average of the weights, avg = DECAY*avg + (1-DECAY)*w "
              + "after every step, and save the average (epoch R@1 and checkpoints too); in "
              + "[0, 1), e.g. 0.998; 0 saves the last weights (default: ${DEFAULT-VALUE}).")
  double weightAveraging;

  @Option(
      names = "--negatives",
      defaultValue = "random",
      paramLabel = "random|all",
      description =
          "Negatives of each anchor: one random member of another label in the batch (random, "
              + "the paper's) or every one of them, the loss their mean (all) (default: "
              + "${DEFAULT-VALUE}).")
  String negatives;

  @Option(
      names = "--random-shift",
      defaultValue = "0",
      paramLabel = "PIXELS",
      description =
          "Move every training image by up to PIXELS each way (a fresh draw per image per step, "
              + "the uncovered border 0), the standard augmentation for small grey images; 0 "
              + "trains on the images as they are (default: ${DEFAULT-VALUE}).")
  int randomShift;

  @Option(
      names = "--from",
      paramLabel = "MODEL_DIR",
      description = "Fine-tune this model directory instead of starting from random weights.")
  Path from;

  @Option(
      names = "--version-id",
      description =
          "Version id written to the manifest (default: derived from the weights' sha256).")
  String versionId;

  @Override
  public Integer call() throws Exception {
    if (recipe != null) {
      TrainRecipe.apply(recipe, spec, spec.commandLine().getParseResult());
    }
    if (!(margin > 0 && margin < 2)) {
      throw new IllegalArgumentException("--margin: must be in (0, 2), was " + margin);
    }
    if (!(weightAveraging >= 0 && weightAveraging < 1)) {
      throw new IllegalArgumentException(
          "--weight-averaging: must be in [0, 1), was " + weightAveraging);
    }
    negativeSampling = NegativeSampling.parse(negatives, "--negatives");
    if (randomShift < 0) {
      throw new IllegalArgumentException("--random-shift: must be >= 0, was " + randomShift);
    }
    if (evalLimit != null && evalLimit < 0) {
      throw new IllegalArgumentException("--eval-limit: must be >= 0, was " + evalLimit);
    }
    TrainSettings settings =
        TrainSettings.paper(epochs, seed)
            .withBatchSize(batchSize)
            .withLearningRate(learningRate)
            .withMargin(margin);
    AttackProfile attackProfile = profile.get();
    Defense chosen =
        defense(
            defense,
            eps != null ? eps : attackProfile.defaultEpsilon(),
            attackIterations,
            attackProfile);
    EstDefense est = chosen instanceof EstDefense e ? e : null;
    if (!(cleanWeight >= 0 && cleanWeight < 1)) {
      throw new IllegalArgumentException("--clean-weight: must be in [0, 1), was " + cleanWeight);
    }
    if (!(shiftWeight >= 0)) {
      throw new IllegalArgumentException("--shift-weight: must be >= 0, was " + shiftWeight);
    }
    boolean warmupAll = epsWarmup.trim().equalsIgnoreCase("all");
    warmupSteps = warmupAll ? 0 : parseWarmup(epsWarmup);
    if (validationSeed != null && validation == 0) {
      throw new IllegalArgumentException("--validation-seed: needs --validation N");
    }
    if (chosen == null && attackIterations != null) {
      throw new IllegalArgumentException("--attack-iterations: needs --defense est or act");
    }
    if (est == null) {
      Map<String, Boolean> estOnly = new LinkedHashMap<>();
      estOnly.put("--clean-weight", cleanWeight != 0);
      estOnly.put("--shift-weight", shiftWeight != 0);
      estOnly.put("--eps-warmup", warmupAll || warmupSteps != 0);
      for (Map.Entry<String, Boolean> option : estOnly.entrySet()) {
        if (option.getValue()) {
          throw new IllegalArgumentException(option.getKey() + ": needs --defense est");
        }
      }
    }
    // Photos are read at the input of the model fine-tuned; a new C2F1 takes the data's shape.
    ModelSpec fromSpec = from == null ? ModelSpec.c2f1(1, 28, 28) : ModelManifest.read(from).spec();
    // The validation images are drawn from the whole training split, then --train-limit cuts
    // what is left: runs of any length share one validation set (table --split validation).
    ImageDataset train =
        data.load(DatasetDirectory.Split.TRAIN, 0, validation != 0 ? null : trainLimit, fromSpec);
    ImageDataset valid = null;
    if (validation != 0) {
      ImageDataset[] split = validationSplit(train, validation, splitSeed());
      train = split[0];
      valid = split[1];
      if (trainLimit != null && trainLimit < train.size()) {
        if (trainLimit < 1) {
          throw new IllegalArgumentException("--train-limit: must be >= 1, was " + trainLimit);
        }
        train = train.head(trainLimit);
      }
    }
    if (randomShift >= Math.min(train.height(), train.width())) {
      throw new IllegalArgumentException(
          "--random-shift: must be smaller than the images ("
              + train.height()
              + "x"
              + train.width()
              + "), was "
              + randomShift);
    }
    int testImages = testImages();
    ImageDataset test =
        testImages > 0 ? data.load(DatasetDirectory.Split.TEST, 0, testImages, fromSpec) : null;
    if (warmupAll) {
      warmupSteps = (long) epochs * TripletTrainer.stepsPerEpoch(train.labels(), batchSize);
    }
    if (est != null) {
      chosen =
          est.withCleanWeight(cleanWeight).withShiftWeight(shiftWeight).withWarmup(warmupSteps);
    }
    ModelSpec spec = ModelSpec.c2f1(train.channels(), train.height(), train.width());
    long t0 = System.nanoTime();
    try (EmbeddingModel model =
            from == null
                ? EmbeddingModel.create(spec, seed, device.resolve())
                : open(from, train, device.resolve());
        TrainProgress progress = new TrainProgress(output.quietProgress())) {
      parentVersion = from == null ? null : model.version();
      defenseInfo = chosen == null ? "none" : chosen.describe();
      TripletTrainer trainer =
          (chosen == null
                  ? new TripletTrainer(model, settings)
                  : chosen.trainer(model, settings, 0))
              .optWeightAveraging(weightAveraging)
              .optNegatives(negativeSampling)
              .optRandomShift(randomShift)
              .optListener(progress);
      if (valid != null) {
        trainer.optEvaluation(valid);
      } else if (test != null) {
        trainer.optEvaluation(test);
      }
      Checkpoints checkpoints = new Checkpoints(out, model, draft(settings, train, null));
      progress.onEpochSaved(checkpoints::save);
      List<EpochStats> history = trainer.fit(train);
      double seconds = (System.nanoTime() - t0) / 1e9;
      EpochStats last = history.get(history.size() - 1);
      if (valid != null && test != null) {
        // The one look at the test set, after every choice was made on validation figures.
        finalTest = RetrievalMetrics.leaveOneOut(model.embed(test), test.labels());
      }
      ModelManifest written = model.save(out, draft(settings, train, last));
      // The monitor's thresholds for this version, on the saved (float16) weights.
      written =
          DetectorCalibration.directory(
              out,
              data.load(DatasetDirectory.Split.TEST, 0, null, written.spec()),
              device.resolve(),
              output.quietProgress());
      checkpoints.pruneAll();
      report(written, history, seconds);
    }
    return 0;
  }

  /** The seed of the validation hold-out: {@code --validation-seed}, else {@code --seed}. */
  long splitSeed() {
    return validationSeed != null ? validationSeed : seed;
  }

  /** {@code --eps-warmup N}: a number of steps, at least 0. */
  static long parseWarmup(String value) {
    try {
      long steps = Long.parseLong(value.trim());
      if (steps >= 0) {
        return steps;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException(
        "--eps-warmup: must be a number of steps >= 0 or all, was " + value);
  }

  private NegativeSampling negativeSampling = NegativeSampling.RANDOM;
  private RetrievalMetrics.Result finalTest;

  /**
   * Test images to score: --eval-limit when given; otherwise the whole test set after each epoch,
   * or, with a hold-out, none, so that a selection run prints no test figure unless asked to.
   */
  private int testImages() {
    if (evalLimit != null) {
      return evalLimit;
    }
    return validation != 0 ? 0 : 10000;
  }

  /**
   * {training, validation}: {@code n} images drawn at random (seeded) from {@code train} are held
   * out as the validation set, the rest trained on, both in their original order.
   */
  static ImageDataset[] validationSplit(ImageDataset train, int n, long seed) {
    if (n < 10 || n > train.size() / 2) {
      throw new IllegalArgumentException(
          "--validation: must be 10.."
              + train.size() / 2
              + " (half the training images), was "
              + n);
    }
    List<Integer> order = new ArrayList<>(IntStream.range(0, train.size()).boxed().toList());
    // Its own stream of the seed: the same split whatever else the seed drives.
    Collections.shuffle(order, new Random(seed ^ 0x76616c6964L));
    int[] held = order.subList(0, n).stream().mapToInt(Integer::intValue).sorted().toArray();
    int[] kept =
        order.subList(n, order.size()).stream().mapToInt(Integer::intValue).sorted().toArray();
    return new ImageDataset[] {
      train.subset(kept, train.name()), train.subset(held, train.name() + " (validation)")
    };
  }

  private String parentVersion;
  private String defenseInfo = "none";

  /**
   * The defense for {@code --defense est|act}, null for {@code none}: EST with the profile's
   * schedule, ACT with robrank's (28-px data: α 3/255, 32 iterations; rob224: α 1/255, 32
   * iterations), either with α = 2ε/N when {@code iterations} N is given.
   */
  static Defense defense(String name, double epsilon, Integer iterations, AttackProfile profile) {
    if (iterations != null && (iterations < 1 || iterations > 1000)) {
      throw new IllegalArgumentException(
          "--attack-iterations: must be in 1..1000, was " + iterations);
    }
    PgdSchedule given = iterations == null ? null : PgdSchedule.of(epsilon, iterations);
    return switch (name.toLowerCase(java.util.Locale.ROOT)) {
      case "none" -> null;
      case "est" -> new EstDefense(given != null ? given : profile.schedule(epsilon));
      case "act" ->
          new ActDefense(
              given != null
                  ? given
                  : profile == AttackProfile.PAPER
                      ? new PgdSchedule(epsilon, 3.0 / 255, 32)
                      : profile.schedule(epsilon));
      default ->
          throw new IllegalArgumentException(
              "--defense: unknown '" + name + "' (accepted: none, est, act)");
    };
  }

  /** The model to fine-tune; it must take the training images' shape. */
  private static EmbeddingModel open(Path dir, ImageDataset train, Device device)
      throws ModelException {
    EmbeddingModel model = EmbeddingModel.load(dir, device);
    try {
      model.requireInputShape(train);
      return model;
    } catch (IllegalArgumentException e) {
      model.close();
      throw new ModelException(dir + ": " + e.getMessage());
    }
  }

  private ModelManifest draft(TrainSettings s, ImageDataset train, EpochStats last) {
    Map<String, String> training = new LinkedHashMap<>();
    training.put("data", train.name());
    training.put("images", Integer.toString(train.size()));
    training.put("epochs", Integer.toString(s.epochs()));
    training.put("batch_size", Integer.toString(s.batchSize()));
    training.put("optimizer", "adam lr=" + s.learningRate() + " weight_decay=" + s.weightDecay());
    training.put(
        "loss",
        "cosine triplet, margin "
            + s.margin()
            + ", per-class sampling, "
            + (negativeSampling == NegativeSampling.ALL
                ? "all in-batch negatives"
                : "one random in-batch negative"));
    training.put("seed", Long.toString(s.seed()));
    if (recipe != null) {
      training.put(
          "recipe",
          recipe.trim().toLowerCase(java.util.Locale.ROOT)
              + " (train --recipe; the command below spells out every flag it set)");
    }
    if (validation != 0) {
      training.put(
          "validation",
          validation
              + " training images held out (seeded by "
              + (validationSeed == null ? "--seed" : "--validation-seed " + validationSeed)
              + "), never trained on; per-epoch"
              + " figures and every choice on them, "
              + (testImages() > 0 ? "test evaluated once at the end" : "test not scored"));
    }
    if (weightAveraging > 0) {
      training.put("weight_averaging", Double.toString(weightAveraging));
    }
    if (randomShift > 0) {
      training.put(
          "augmentation", "random shift of up to " + randomShift + " px each way, border 0");
    }
    training.put("defense", defenseInfo);
    if (parentVersion != null) {
      training.put("parentVersion", parentVersion);
      training.put("from", from.toString());
    }
    training.put(
        "command",
        "advrank train --epochs "
            + s.epochs()
            + " --seed "
            + s.seed()
            + (s.batchSize() == 1000 ? "" : " --batch-size " + s.batchSize())
            + (s.learningRate() == 1e-3f ? "" : " --lr " + s.learningRate())
            + (s.margin() == 0.2f ? "" : " --margin " + s.margin())
            + (weightAveraging == 0 ? "" : " --weight-averaging " + weightAveraging)
            + (negativeSampling == NegativeSampling.ALL ? " --negatives all" : "")
            + (randomShift == 0 ? "" : " --random-shift " + randomShift)
            + (trainLimit == null ? "" : " --train-limit " + trainLimit)
            + (validation == 0 ? "" : " --validation " + validation)
            + (validationSeed == null ? "" : " --validation-seed " + validationSeed)
            + (defenseInfo.equals("none")
                ? ""
                : " --defense "
                    + defenseInfo.substring(0, 3)
                    + " --eps "
                    + Epsilons.format(eps != null ? eps : profile.get().defaultEpsilon())
                    + (profile.get() == AttackProfile.PAPER
                        ? ""
                        : " --profile " + profile.get().label()))
            + (attackIterations == null ? "" : " --attack-iterations " + attackIterations)
            + (cleanWeight == 0 ? "" : " --clean-weight " + cleanWeight)
            + (shiftWeight == 0 ? "" : " --shift-weight " + shiftWeight)
            + (warmupSteps == 0 ? "" : " --eps-warmup " + warmupSteps)
            + (from == null ? "" : " --from " + from));
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (last != null && !Double.isNaN(last.recallAt1()) && validation != 0) {
      metrics.put("validation_r_at_1", last.recallAt1());
      metrics.put("validation_map", last.meanAveragePrecision());
      metrics.put("validation_images", (double) validation);
      if (finalTest != null) {
        metrics.put("r_at_1", finalTest.recallAt1());
        metrics.put("map", finalTest.meanAveragePrecision());
        metrics.put("eval_images", (double) finalTest.count());
      }
    } else if (last != null && !Double.isNaN(last.recallAt1())) {
      metrics.put("r_at_1", last.recallAt1());
      metrics.put("map", last.meanAveragePrecision());
      metrics.put("eval_images", (double) testImages());
    }
    return new ModelManifest(
        ModelManifest.FORMAT_VERSION,
        versionId,
        parentVersion,
        null,
        0,
        null,
        null,
        null,
        Instant.now().toString(),
        training,
        metrics,
        null);
  }

  private void report(ModelManifest m, List<EpochStats> history, double seconds) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("model", out.toString());
    json.put("version", m.version());
    json.put("seconds", seconds);
    json.put("epochs", history);
    json.put("metrics", m.metrics());
    output.print(
        json,
        () -> {
          StringBuilder s = new StringBuilder();
          s.append(
              String.format(
                  "%-6s %10s %10s %8s %8s%s%n",
                  "epoch",
                  "loss",
                  "seconds",
                  "R@1",
                  "mAP",
                  validation != 0 ? "  (validation)" : ""));
          for (EpochStats e : history) {
            s.append(
                String.format(
                    "%-6d %10.4f %10.1f %8.4f %8.4f%n",
                    e.epoch(), e.meanLoss(), e.seconds(), e.recallAt1(), e.meanAveragePrecision()));
          }
          if (finalTest != null) {
            s.append(
                String.format(
                    "test, once at the end (%d images): R@1 %.4f mAP %.4f%n",
                    finalTest.count(), finalTest.recallAt1(), finalTest.meanAveragePrecision()));
          } else if (validation != 0) {
            s.append(
                "test set not scored: choose on the validation figures, then look once with"
                    + " `advrank eval --model "
                    + out
                    + "`\n");
          }
          s.append(String.format("saved %s (version %s) in %.0f s%n", out, m.version(), seconds));
          return s.toString();
        });
  }
}
