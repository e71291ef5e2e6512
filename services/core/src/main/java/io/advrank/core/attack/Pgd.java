package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.training.GradientCollector;
import io.advrank.core.model.Autograd;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.GradientLane;

/**
 * Projected gradient descent, batched (docs/method.md): x ← clip(Proj_ε(x − α·sign(∇L)), 0, 1),
 * starting at the clean image (no random start), the model in eval mode with its parameters frozen.
 * Every step runs in its own native sub-manager, without which native memory grows ~3 MB per step.
 */
final class Pgd {
  private Pgd() {}

  /**
   * Runs the schedule on {@code x0} (B, C, H, W) and returns x̃ in {@code x0}'s manager. The loss
   * summed over items is differentiated, so each item's gradient is that of its own loss.
   */
  static NDArray run(EmbeddingModel model, NDArray x0, PgdSchedule schedule, Objective objective) {
    NDManager batch = x0.getManager();
    NDArray[] bounds = bounds(x0, schedule.epsilon());
    float alpha = (float) schedule.alpha();
    model.freezeParameters(true);
    try {
      NDArray x = x0;
      for (int i = 0; i < schedule.iterations(); i++) {
        try (NDManager step = batch.newSubManager()) {
          NDArray xi = x.duplicate();
          xi.attach(step);
          NDArray g = gradient(model, xi, objective);
          NDArray next = xi.sub(g.sign().mul(alpha)).maximum(bounds[0]).minimum(bounds[1]);
          next.attach(batch);
          if (x != x0) {
            x.close();
          }
          x = next;
        }
      }
      return x;
    } finally {
      model.freezeParameters(false);
      Autograd.disableOnThisThread();
    }
  }

  /** ∇_x Σ_i L_i(f(x_i)); the gradient handle lives in {@code x}'s manager. */
  private static NDArray gradient(EmbeddingModel model, NDArray x, Objective objective) {
    x.setRequiresGradient(true);
    try (GradientCollector gc = GradientLane.open()) {
      gc.backward(objective.loss(model.forward(x, false)).sum());
    }
    // Grad mode stays off outside the collector, so the update below records no graph.
    Autograd.disableOnThisThread();
    NDArray g = x.getGradient();
    g.attach(x.getManager());
    return g;
  }

  /**
   * Per-pixel bounds [max(x0 − ε, 0), min(x0 + ε, 1)], computed in Java so that |x̃ − x0| ≤ ε holds
   * exactly for the float ε: a bound whose float rounding lands beyond ε is moved one ulp inward.
   */
  static NDArray[] bounds(NDArray x0, double epsilon) {
    float[] x = x0.toFloatArray();
    double eps = (float) epsilon;
    float[] lo = new float[x.length];
    float[] hi = new float[x.length];
    for (int i = 0; i < x.length; i++) {
      lo[i] = Math.max(0f, (float) (x[i] - eps));
      if ((double) x[i] - lo[i] > eps) {
        lo[i] = Math.nextUp(lo[i]);
      }
      hi[i] = Math.min(1f, (float) (x[i] + eps));
      if ((double) hi[i] - x[i] > eps) {
        hi[i] = Math.nextDown(hi[i]);
      }
    }
    NDManager m = x0.getManager();
    return new NDArray[] {m.create(lo, x0.getShape()), m.create(hi, x0.getShape())};
  }
}
