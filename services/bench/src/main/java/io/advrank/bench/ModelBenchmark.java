package io.advrank.bench;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.advrank.core.model.Autograd;
import io.advrank.core.model.EmbeddingModel;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * Measures the engine's matrix-multiply roofline and the embedding network's throughput: forward
 * only, and forward + backward to the input with frozen weights (one attack step).
 */
public final class ModelBenchmark {
  /** FLOP of one C2F1 forward on a 28×28 image (docs/method.md §7): 13.8 M multiply-adds × 2. */
  public static final double C2F1_FORWARD_FLOP = 27.7e6;

  /** An attack step (forward + backward to the input only) costs about twice a forward. */
  public static final double C2F1_ATTACK_STEP_FLOP = 55e6;

  private final EmbeddingModel model;
  private final double secondsPerPoint;

  public ModelBenchmark(EmbeddingModel model, double secondsPerPoint) {
    this.model = model;
    this.secondsPerPoint = secondsPerPoint;
  }

  /** Sustained fp32 FLOP/s of an {@code n³} matrix multiply in this engine (2·n³ FLOP per run). */
  public static double gemmFlops(int n, double seconds) {
    Autograd.disableOnThisThread();
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray a = m.randomUniform(-1, 1, new Shape(n, n));
      NDArray b = m.randomUniform(-1, 1, new Shape(n, n));
      double perRun =
          timePerRun(
              i -> {
                try (NDManager s = m.newSubManager()) {
                  NDArray c = a.matMul(b);
                  c.attach(s);
                  c.getFloat(0, 0); // force completion
                }
              },
              seconds);
      return 2.0 * n * n * n / perRun;
    }
  }

  /** Results at each batch size. */
  public List<Point> run(int[] batchSizes) {
    List<Point> points = new ArrayList<>();
    for (int b : batchSizes) {
      points.add(
          new Point(
              b,
              b / timePerRun(i -> forward(b), secondsPerPoint),
              b / timePerRun(i -> attackStep(b), secondsPerPoint)));
    }
    return points;
  }

  private void forward(int batch) {
    Autograd.disableOnThisThread();
    try (NDManager s = model.manager().newSubManager()) {
      NDArray x = s.randomUniform(0, 1, EmbeddingModel.inputShape(model.spec(), batch));
      model.forward(x, false).getFloat(0, 0);
    }
  }

  private void attackStep(int batch) {
    model.freezeParameters(true);
    try (NDManager s = model.manager().newSubManager()) {
      NDArray x = s.randomUniform(0, 1, EmbeddingModel.inputShape(model.spec(), batch));
      NDArray dir = s.randomUniform(-1, 1, new Shape(batch, model.spec().embeddingSize()));
      x.setRequiresGradient(true);
      try (GradientCollector gc = io.advrank.core.model.GradientLane.open()) {
        gc.backward(model.forward(x, false).mul(dir).sum());
      }
      x.getGradient().sign().getFloat(0, 0, 0, 0);
    } finally {
      model.freezeParameters(false);
    }
  }

  /** Seconds per call: a warm-up, then as many calls as fit in {@code seconds}. */
  static double timePerRun(IntConsumer run, double seconds) {
    for (int i = 0; i < 2; i++) {
      run.accept(i);
    }
    long t0 = System.nanoTime();
    long deadline = t0 + (long) (seconds * 1e9);
    int n = 0;
    long now;
    do {
      run.accept(n++);
      now = System.nanoTime();
    } while (now < deadline || n < 3);
    return (now - t0) / 1e9 / n;
  }

  /**
   * @param batch images per call
   * @param forwardImagesPerSecond forward-only throughput
   * @param attackStepImagesPerSecond forward + backward-to-input throughput
   */
  public record Point(int batch, double forwardImagesPerSecond, double attackStepImagesPerSecond) {}
}
