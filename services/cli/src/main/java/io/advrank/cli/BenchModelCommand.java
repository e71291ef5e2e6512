package io.advrank.cli;

import ai.djl.Device;
import io.advrank.core.bench.ModelBenchmark;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.ModelSpec;
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
        "Embedding throughput of the C2F1 (forward; forward + backward to the input, i.e. one "
            + "attack step) at several batch sizes, as images/s and as a fraction of the roofline: "
            + "the sustained fp32 rate of a 2048^3 matrix multiply in the same engine.")
final class BenchModelCommand implements Callable<Integer> {
  @Mixin OutputOptions output;
  @Mixin ThreadsOption threadsOption;

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
  public Integer call() {
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
    try (EmbeddingModel model = EmbeddingModel.create(ModelSpec.c2f1(1, 28, 28), 0, Device.cpu())) {
      points = new ModelBenchmark(model, seconds).run(batches);
    }
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("threads", threads);
    json.put("roofline_gflops", roofline / 1e9);
    json.put("points", points);
    output.print(json, () -> table(threads, roofline, points));
    return 0;
  }

  private String table(int threads, double roofline, List<ModelBenchmark.Point> points) {
    StringBuilder s = new StringBuilder();
    s.append(
        String.format(
            "libtorch threads: %d; roofline (%d^3 fp32 matmul): %.1f GFLOP/s%n",
            threads, gemmSize, roofline / 1e9));
    s.append(
        String.format(
            "%6s %14s %10s %16s %10s%n",
            "batch", "forward img/s", "roofline", "fwd+bwd img/s", "roofline"));
    for (ModelBenchmark.Point p : points) {
      s.append(
          String.format(
              "%6d %14.0f %9.1f%% %16.0f %9.1f%%%n",
              p.batch(),
              p.forwardImagesPerSecond(),
              100 * p.forwardImagesPerSecond() * ModelBenchmark.C2F1_FORWARD_FLOP / roofline,
              p.attackStepImagesPerSecond(),
              100
                  * p.attackStepImagesPerSecond()
                  * ModelBenchmark.C2F1_ATTACK_STEP_FLOP
                  / roofline));
    }
    s.append(
        "(per image: forward 27.7 MFLOP, attack step 55 MFLOP, 1 multiply-add = 2 FLOP; BRIEF §6)\n");
    return s.toString();
  }
}
