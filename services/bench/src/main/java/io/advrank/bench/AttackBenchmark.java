package io.advrank.bench;

import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackRequest;
import io.advrank.core.attack.AttackSpec;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.RankingAttacker;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.model.ModelSpec;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;

/**
 * Attack throughput: whole PGD attacks (ε = 0.3: α = 0.01, 30 steps, unless {@link #optSchedule}
 * says otherwise; w = m = 1) per second at several batch sizes, on a gallery of random images — the
 * same workload as {@code bench/torch_ca_plus.py}, where speed does not depend on the weights or
 * the pixels.
 *
 * <p>Each attack type's sweep runs in rounds, interleaved (every batch size once per round), and
 * each figure is the median over rounds: this machine's speed drifts by tens of percent within a
 * minute, so a batch size's speed-up over the sweep's smallest batch is taken within each round,
 * where both ran a few seconds apart, and its median reported.
 *
 * <p>FLOP per image-step (docs/method.md §7): 55 M for the network's forward and backward to the
 * input; QA attacks add the query-to-gallery distances, 2·N·D for the product and as much for its
 * gradient.
 */
public final class AttackBenchmark {
  /** The benchmark's ε: 30 PGD steps of α = 0.01. */
  public static final double EPSILON = 0.3;

  private final EmbeddingModel model;
  private final int gallerySize;
  private final double secondsPerPoint;
  private final Random random = new Random(0);
  private AttackProfile profile = AttackProfile.PAPER;
  private double epsilon = EPSILON;

  public AttackBenchmark(EmbeddingModel model, int gallerySize, double secondsPerPoint) {
    if (gallerySize < 7) {
      throw new IllegalArgumentException("gallery: must be >= 7 images, was " + gallerySize);
    }
    this.model = model;
    this.gallerySize = gallerySize;
    this.secondsPerPoint = secondsPerPoint;
  }

  /** Attacks with budget {@code epsilon} under {@code profile} instead of the paper's ε 0.3. */
  public AttackBenchmark optSchedule(AttackProfile profile, double epsilon) {
    new AttackSpec(AttackType.CA_PLUS, epsilon, 1, 0, profile).schedule(); // checks both
    this.profile = profile;
    this.epsilon = epsilon;
    return this;
  }

  /** FLOP of one PGD step on one image for {@code type} with a gallery of {@code n} items. */
  public static double flopPerImageStep(AttackType type, int n, int dim) {
    double network = ModelBenchmark.C2F1_ATTACK_STEP_FLOP;
    return type.role() == AttackType.Role.QUERY ? network + 4.0 * n * dim : network;
  }

  /** As {@link #flopPerImageStep(AttackType, int, int)}; NaN for networks other than C2F1. */
  private double flopPerImageStep(AttackType type, int dim) {
    return ModelSpec.C2F1.equals(model.spec().architecture())
        ? flopPerImageStep(type, gallerySize, dim)
        : Double.NaN;
  }

  /** Throughput of each attack type at each batch size: medians over {@code rounds} sweeps. */
  public List<Point> run(AttackType[] types, int[] batchSizes, int rounds) {
    if (rounds < 1) {
      throw new IllegalArgumentException("rounds: must be >= 1, was " + rounds);
    }
    float[] galleryPixels = randomPixels(gallerySize);
    Embeddings gallery = model.embed(galleryPixels, gallerySize);
    int smallest = Arrays.stream(batchSizes).min().orElseThrow();
    List<Point> points = new ArrayList<>();
    try (RankingAttacker attacker = RankingAttacker.of(model, gallery)) {
      for (AttackType type : types) {
        AttackSpec spec = new AttackSpec(type, epsilon, 1, 0, profile);
        List<List<AttackRequest>> batches = new ArrayList<>();
        for (int b : batchSizes) {
          batches.add(requests(type, b));
          attacker.attack(spec, batches.get(batches.size() - 1)); // warm-up
        }
        double[][] attacks = new double[batchSizes.length][rounds]; // [batch][round]
        for (int r = 0; r < rounds; r++) {
          for (int j = 0; j < batchSizes.length; j++) {
            List<AttackRequest> batch = batches.get(j);
            attacks[j][r] = batchSizes[j] / secondsPerRun(() -> attacker.attack(spec, batch));
          }
        }
        int base = indexOf(batchSizes, smallest);
        int steps = spec.schedule().iterations();
        for (int j = 0; j < batchSizes.length; j++) {
          double[] speedUp = new double[rounds];
          for (int r = 0; r < rounds; r++) {
            speedUp[r] = attacks[j][r] / attacks[base][r];
          }
          double median = median(attacks[j]);
          points.add(
              new Point(
                  type.label(),
                  batchSizes[j],
                  median,
                  median * steps,
                  flopPerImageStep(type, gallery.dim()),
                  median(speedUp),
                  smallest,
                  attacks[j]));
        }
      }
    }
    return points;
  }

  /** The median; the mean of the middle two for an even count. */
  static double median(double[] values) {
    double[] v = values.clone();
    Arrays.sort(v);
    int n = v.length;
    return n % 2 == 1 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
  }

  private static int indexOf(int[] values, int value) {
    for (int i = 0; i < values.length; i++) {
      if (values[i] == value) {
        return i;
      }
    }
    throw new IllegalArgumentException(value + " is not among the values");
  }

  /** As many runs as fit in the time per point (at least one): seconds per run. */
  private double secondsPerRun(Runnable run) {
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (secondsPerPoint * 1e9);
    int n = 0;
    long now;
    do {
      run.run();
      n++;
      now = System.nanoTime();
    } while (now < deadline);
    return (now - t0) / 1e9 / n;
  }

  private List<AttackRequest> requests(AttackType type, int b) {
    float[] pixels = randomPixels(b);
    int size = model.spec().imageSize();
    List<AttackRequest> out = new ArrayList<>(b);
    for (int i = 0; i < b; i++) {
      int[] preserve = type.semanticsPreserving() ? distinct(5) : new int[0];
      out.add(
          new AttackRequest(
              Arrays.copyOfRange(pixels, i * size, (i + 1) * size),
              new int[] {random.nextInt(gallerySize)},
              preserve));
    }
    return out;
  }

  private int[] distinct(int k) {
    return random.ints(0, gallerySize).distinct().limit(k).toArray();
  }

  private float[] randomPixels(int n) {
    float[] p = new float[n * model.spec().imageSize()];
    for (int i = 0; i < p.length; i++) {
      p[i] = random.nextFloat();
    }
    return p;
  }

  /**
   * @param attack attack label, e.g. {@code CA+}
   * @param batch items per PGD run
   * @param attacksPerSecond whole attacks (30 steps each) per second, the median over rounds
   * @param imageStepsPerSecond PGD steps × images per second
   * @param flopPerImageStep FLOP of one step on one image, for the roofline fraction (NaN where
   *     unknown: a user's network)
   * @param speedUp attacks/s over those at batch {@code baseBatch} in the same round, the median
   * @param baseBatch the sweep's smallest batch size
   * @param roundAttacksPerSecond attacks/s in each round
   */
  public record Point(
      String attack,
      int batch,
      double attacksPerSecond,
      double imageStepsPerSecond,
      double flopPerImageStep,
      double speedUp,
      int baseBatch,
      double[] roundAttacksPerSecond) {
    /** Achieved FLOP/s as a fraction of {@code rooflineFlops}. */
    public double rooflineFraction(double rooflineFlops) {
      return imageStepsPerSecond * flopPerImageStep / rooflineFlops;
    }
  }
}
