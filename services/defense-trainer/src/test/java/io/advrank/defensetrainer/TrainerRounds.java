package io.advrank.defensetrainer;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.PgdSchedule;
import io.advrank.core.data.DataException;
import io.advrank.core.data.DatasetDirectory;
import io.advrank.core.data.ImageDataset;
import io.advrank.core.defense.EstDefense;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import io.advrank.core.model.NativeHeap;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletTrainer;
import io.advrank.runtime.model.AssembledModel;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.Random;

/**
 * The defense-trainer's work without Kafka, round after round, as {@link HardeningRound} does it
 * with the demo's settings: EST steps on batches from a {@link TrainingBuffer} filled with the
 * fixture, then the candidate measured with its averaged weights ({@link Figures}), the parent
 * opened and measured, and every other round the candidate reset to the parent (a rejected R@1) or
 * snapshotted as a version (a publication). A diagnostic harness for native memory, run by hand
 * ({@link #main}, docs/soak.md): RSS and glibc's bytes in use that grow round after round while
 * DJL's live arrays stay flat are native memory that no NDArray accounts for.
 */
final class TrainerRounds implements AutoCloseable {
  static final Path MODEL = Path.of("../../models/fmnist-c2f1");
  static final Path FIXTURE = Path.of("../core/src/test/resources/fixtures/fashion-mnist-mini");

  private final Device device = Device.cpu();
  private final TrainingBuffer buffer;
  private final ImageDataset heldOut;
  private final AssembledModel parent;
  private final Random random = new Random(1);
  private final int stepsPerRound;
  private EmbeddingModel candidate;
  private TripletTrainer trainer;
  private long steps;
  private int round;

  TrainerRounds(int stepsPerRound) throws ModelException, DataException {
    this.stepsPerRound = stepsPerRound;
    parent = Versions.fromDirectory(MODEL);
    candidate = Versions.open(parent, device);
    buffer = new TrainingBuffer(4096, 500, candidate.spec());
    ImageDataset train = DatasetDirectory.load(FIXTURE, DatasetDirectory.Split.TRAIN);
    for (int i = 0; i < train.size(); i++) {
      buffer.addCatalog("item-" + i, train.image(i), train.label(i));
    }
    heldOut = buffer.freezeHeldOut();
    trainer = newTrainer();
  }

  /** The demo's defaults (DefenseTrainerSettings.from): batch 16, EST ε 0.3 in 5 iterations. */
  private TripletTrainer newTrainer() {
    TrainSettings train = new TrainSettings(1, 16, 2e-4f, 1e-7f, 1.9f, steps);
    return new EstDefense(PgdSchedule.of(0.3, 5))
        .withWarmup(1500)
        .trainer(candidate, train, steps)
        .optWeightAveraging(0.998);
  }

  /** One round: steps, the candidate's and the parent's figures, then a reset or a snapshot. */
  void round() throws ModelException {
    round++;
    for (int i = 0; i < stepsPerRound; i++) {
      TrainingBuffer.Batch batch = buffer.sample(16, random);
      trainer.step(batch.pixels(), batch.triplets());
      steps++;
    }
    trainer.withAveragedWeights(() -> measure(candidate));
    try (EmbeddingModel p = Versions.open(parent, device)) {
      measure(p);
    }
    if (round % 2 == 0) {
      candidate.close();
      candidate = null;
      candidate = Versions.open(parent, device);
      trainer = newTrainer();
    } else {
      trainer.withAveragedWeights(
          () ->
              Versions.snapshot(
                  candidate,
                  "harness-" + round,
                  parent.version(),
                  Instant.now(),
                  Map.of(),
                  Map.of(),
                  heldOut,
                  device));
    }
  }

  private Figures measure(EmbeddingModel model) {
    return Figures.measure(model, heldOut, 50, AttackProfile.PAPER);
  }

  /** Live NDArrays under the engine's system manager, at any depth (as the soak counts them). */
  static int liveArrays() {
    return NDManager.newBaseManager().getParentManager().getManagedArrays().size();
  }

  @Override
  public void close() {
    candidate.close();
  }

  /**
   * {@code TrainerRounds [rounds] [steps per round] [trim]}: prints RSS, live arrays and glibc's
   * malloc figures after every round; with {@code trim}, also RSS after {@code malloc_trim(0)}.
   */
  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 20;
    int steps = args.length > 1 ? Integer.parseInt(args[1]) : 20;
    boolean trim = args.length > 2 && args[2].equals("trim");
    try (TrainerRounds r = new TrainerRounds(steps)) {
      System.out.println(
          "round  seconds  rss_mib  arrays  arena_mib  in_use_mib  free_mib  mmap_mib  trimmed_rss");
      long t0 = System.nanoTime();
      for (int i = 1; i <= rounds; i++) {
        r.round();
        System.gc();
        double rss = NativeHeap.rssBytes() / 1048576.0;
        String malloc = mallocFigures();
        String after = "";
        if (trim) {
          NativeHeap.trim();
          after = String.format("%8.1f", NativeHeap.rssBytes() / 1048576.0);
        }
        System.out.printf(
            "%5d  %7.1f  %7.1f  %6d  %s  %s%n",
            i, (System.nanoTime() - t0) / 1e9, rss, liveArrays(), malloc, after);
      }
    }
  }

  /** glibc's arena bytes, bytes in use, free in the arenas and mmapped one by one, in MiB. */
  private static String mallocFigures() {
    NativeHeap.Info i = NativeHeap.info();
    return String.format(
        "%9.1f  %10.1f  %8.1f  %8.1f",
        i.arena / 1048576.0, i.uordblks / 1048576.0, i.fordblks / 1048576.0, i.hblkhd / 1048576.0);
  }
}
