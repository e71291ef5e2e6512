package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import io.advrank.core.model.Autograd;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.train.BatchAdversary;

/**
 * The ES attack as a {@link BatchAdversary}: replaces each training image x by the x̃ within ε that
 * maximises d(f(x̃), f(x)), found by PGD. This is the inner attack of the EST defense; the paper
 * uses ε = 0.3, α = 0.01 and 30 iterations on 28×28 data ({@link PgdSchedule#of}(0.3)).
 */
public final class EmbeddingShiftAdversary implements BatchAdversary {
  /**
   * Images per PGD run. Each item's loss is its own, so chunking changes no result; it keeps the
   * conv activations of a 1000-image training batch out of a cache-thrashing single pass.
   */
  static final int CHUNK = 256;

  private final PgdSchedule schedule;

  public EmbeddingShiftAdversary(PgdSchedule schedule) {
    this.schedule = schedule;
  }

  @Override
  public NDArray perturb(EmbeddingModel model, NDArray images) {
    NDManager owner = images.getManager();
    long n = images.getShape().get(0);
    NDList parts = new NDList();
    for (long start = 0; start < n; start += CHUNK) {
      try (NDManager chunk = owner.newSubManager()) {
        NDArray x = images.get(new NDIndex("{}:{}", start, Math.min(n, start + CHUNK)));
        x.attach(chunk);
        Autograd.disableOnThisThread();
        NDArray clean = model.forward(x, false);
        NDArray adv = Pgd.run(model, x, schedule, new ShiftObjective(clean));
        adv.attach(owner);
        parts.add(adv);
      }
    }
    NDArray out = parts.size() == 1 ? parts.head() : NDArrays.concat(parts);
    out.attach(owner);
    return out;
  }

  @Override
  public String describe() {
    return "est eps="
        + schedule.epsilon()
        + " alpha="
        + schedule.alpha()
        + " iterations="
        + schedule.iterations();
  }
}
