package io.advrank.cli.bench;

import io.advrank.bench.ModelBenchmark;
import io.advrank.cli.OutputOptions;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code advrank bench model}: embedding throughput against the machine's matmul roofline. */
@Command(
    name = "model",
    mixinStandardHelpOptions = true,
    description =
        "Embedding throughput of the C2F1, or of any model directory with --model (forward;"
            + " forward + backward to the input, i.e. one attack step) at several batch sizes, as"
            + " images/s and, for the C2F1, as a fraction of the roofline: the sustained fp32 rate"
            + " of a 2048^3 matrix multiply in the same engine.")
final class BenchModelCommand implements Callable<Integer> {
  @Mixin OutputOptions output;
  @Mixin ThreadsOption threadsOption;
  @Mixin BenchModelOption modelOption;

  @Option(
      names = "--batches",
      split = ",",
      defaultValue = "1,64,256",
      description = "Batch sizes (default: ${DEFAULT-VALUE}).")
  int[] batches;

  @Option(
      names = "--seconds",
      defaultValue = "3",
      description = "Seconds measured per figure (default: ${DEFAULT-VALUE}).")
  double seconds;

  @Option(
      names = "--gemm-size",
      defaultValue = "2048",
      description = "Matrix size n of the n^3 roofline multiply (default: ${DEFAULT-VALUE}).")
  int gemmSize;

  @Override
  public Integer call() throws ModelException {
    for (int b : batches) {
      if (b < 1) {
        throw new IllegalArgumentException("--batches: sizes must be >= 1, was " + b);
      }
    }
    if (gemmSize < 1 || !(seconds > 0)) {
      throw new IllegalArgumentException(
          "--gemm-size and --seconds: must be > 0, were " + gemmSize + " and " + seconds);
    }
    int threads = threadsOption.apply();
    double roofline = ModelBenchmark.gemmFlops(gemmSize, seconds);
    List<ModelBenchmark.Point> points;
    boolean c2f1;
    String name;
    try (EmbeddingModel model = modelOption.open()) {
      c2f1 = BenchModelOption.isC2f1(model);
      name = modelOption.describe(model);
      points = new ModelBenchmark(model, seconds).run(batches);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("threads", threads);
    json.put("model", name);
    json.put("roofline_gflops", roofline / 1e9);
    json.put("points", points);
    output.print(json, () -> table(threads, roofline, points, name, c2f1));
    return 0;
  }

  private String table(
      int threads, double roofline, List<ModelBenchmark.Point> points, String name, boolean c2f1) {
    // FLOP per image are known for the C2F1 only; other models get no roofline fraction.
    double forwardFlop = c2f1 ? ModelBenchmark.C2F1_FORWARD_FLOP : Double.NaN;
    double stepFlop = c2f1 ? ModelBenchmark.C2F1_ATTACK_STEP_FLOP : Double.NaN;
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            "model %s; libtorch threads: %d; roofline (%d^3 fp32 matmul): %.1f GFLOP/s%n",
            name, threads, gemmSize, roofline / 1e9));
    s.append(
        String.format(
            "%6s %14s %10s %16s %10s%n",
            "batch", "forward img/s", "roofline", "fwd+bwd img/s", "roofline"));
    for (ModelBenchmark.Point p : points) {
      s.append(
          String.format(
              "%6d %14.0f %10s %16.0f %10s%n",
              p.batch(),
              p.forwardImagesPerSecond(),
              share(p.forwardImagesPerSecond(), forwardFlop, roofline),
              p.attackStepImagesPerSecond(),
              share(p.attackStepImagesPerSecond(), stepFlop, roofline)));
    }
    if (c2f1) {
      s.append(
          "(per image: forward 27.7 MFLOP, attack step 55 MFLOP, 1 multiply-add = 2 FLOP;"
              + " docs/method.md §7)\n");
    }
    return s.toString();
  }

  /** Achieved FLOP/s as a percentage of the roofline, or "-" where the FLOP are unknown. */
  private static String share(double imagesPerSecond, double flopPerImage, double roofline) {
    return Double.isNaN(flopPerImage)
        ? "-"
        : String.format("%.1f%%", 100 * imagesPerSecond * flopPerImage / roofline);
  }
}
