package io.advrank.cli.bench;

import io.advrank.bench.AttackBenchmark;
import io.advrank.bench.ModelBenchmark;
import io.advrank.cli.EpsilonConverter;
import io.advrank.cli.OutputOptions;
import io.advrank.cli.ProfileOption;
import io.advrank.core.attack.AttackProfile;
import io.advrank.core.attack.AttackType;
import io.advrank.core.attack.Epsilons;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code advrank bench attack}: batched attack throughput against the matmul roofline. */
@Command(
    name = "attack",
    mixinStandardHelpOptions = true,
    description =
        "Throughput of batched CA+ (eps 0.3, w 1) and SP-QA+ (eps 0.3, m 1) attacks: "
            + "attacks/s and image-steps/s at several batch sizes, and achieved FLOP/s as a "
            + "fraction of the roofline (the sustained fp32 rate of a 2048^3 matrix multiply in "
            + "the same engine), and the speed-up per attack over the smallest batch. The sweep "
            + "repeats for --rounds, interleaved; figures are medians over rounds, the speed-up "
            + "taken within each round. Random C2F1 weights and a gallery of random images, as "
            + "in bench/torch_ca_plus.py.")
final class BenchAttackCommand implements Callable<Integer> {
  @Mixin OutputOptions output;
  @Mixin ThreadsOption threadsOption;

  @Option(
      names = "--batches",
      split = ",",
      defaultValue = "1,16,64,256",
      description = "Batch sizes (default: ${DEFAULT-VALUE}).")
  int[] batches;

  @Option(
      names = "--gallery",
      defaultValue = "10000",
      description = "Gallery size, as the Fashion-MNIST test set (default: ${DEFAULT-VALUE}).")
  int gallery;

  @Mixin BenchModelOption modelOption;
  @Mixin ProfileOption profile;

  @Option(
      names = "--eps",
      converter = EpsilonConverter.class,
      description = "L-infinity budget, as 0.3 or 8/255 (default: the profile's).")
  Double eps;

  @Option(
      names = "--types",
      split = ",",
      defaultValue = "CA+,SP-QA+",
      description = "Attack types to time (default: ${DEFAULT-VALUE}).")
  List<String> types;

  @Option(
      names = "--seconds",
      defaultValue = "3",
      description =
          "Seconds measured per figure and round, after one warm-up (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--rounds",
      defaultValue = "3",
      description = "Interleaved sweeps, reported as medians (default: ${DEFAULT-VALUE}).")
  int rounds;

  @Override
  public Integer call() throws ModelException {
    for (int b : batches) {
      if (b < 1) {
        throw new IllegalArgumentException("--batches: sizes must be >= 1, was " + b);
      }
    }
    if (rounds < 1) {
      throw new IllegalArgumentException("--rounds: must be >= 1, was " + rounds);
    }
    int threads = threadsOption.apply();
    double roofline = ModelBenchmark.gemmFlops(2048, Math.min(seconds, 3));
    List<AttackBenchmark.Point> points;
    AttackType[] attackTypes = types.stream().map(AttackType::parse).toArray(AttackType[]::new);
    AttackProfile p = profile.get();
    double epsilon = eps != null ? eps : p.defaultEpsilon();
    String version;
    try (EmbeddingModel model = modelOption.open()) {
      version = modelOption.describe(model);
      points =
          new AttackBenchmark(model, gallery, seconds)
              .optSchedule(p, epsilon)
              .run(attackTypes, batches, rounds);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("threads", threads);
    json.put("model", version);
    json.put("profile", p.label());
    json.put("epsilon", epsilon);
    json.put("roofline_gflops", roofline / 1e9);
    json.put("gallery", gallery);
    json.put("rounds", rounds);
    json.put("points", points);
    output.print(json, () -> table(threads, roofline, points, version, p, epsilon));
    return 0;
  }

  private String table(
      int threads,
      double roofline,
      List<AttackBenchmark.Point> points,
      String version,
      AttackProfile used,
      double epsilon) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            "model %s; libtorch threads: %d; roofline (2048^3 fp32 matmul): %.1f GFLOP/s%n",
            version, threads, roofline / 1e9));
    s.append(
        String.format(
            "%-7s %6s %10s %14s %12s %9s %9s%n",
            "attack", "batch", "attacks/s", "image-steps/s", "MFLOP/step", "roofline", "speed-up"));
    for (AttackBenchmark.Point p : points) {
      s.append(
          String.format(
              "%-7s %6d %10.2f %14.0f %12s %9s %8.2fx%n",
              p.attack(),
              p.batch(),
              p.attacksPerSecond(),
              p.imageStepsPerSecond(),
              Double.isNaN(p.flopPerImageStep())
                  ? "-"
                  : String.format("%.1f", p.flopPerImageStep() / 1e6),
              Double.isNaN(p.flopPerImageStep())
                  ? "-"
                  : String.format("%.1f%%", 100 * p.rooflineFraction(roofline)),
              p.speedUp()));
    }
    var pgd = used.schedule(epsilon);
    s.append(
        String.format(
            "(%s: eps %s, %d PGD steps of alpha %.4f; gallery %d; MFLOP/step counted for the C2F1"
                + " network, + 4*N*D for QA's gallery distances (docs/method.md §7), '-' for an"
                + " imported one; medians of %d interleaved rounds; speed-up: attacks/s over batch"
                + " %d's in the same round)%n",
            used.label(),
            Epsilons.format(epsilon),
            pgd.iterations(),
            pgd.alpha(),
            gallery,
            rounds,
            points.isEmpty() ? 1 : points.get(0).baseBatch()));
    return s.toString();
  }
}
