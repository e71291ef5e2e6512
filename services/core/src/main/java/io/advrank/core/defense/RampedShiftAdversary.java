package io.advrank.core.defense;

import ai.djl.ndarray.NDArray;
import io.advrank.core.attack.EmbeddingShiftAdversary;
import io.advrank.core.attack.PgdSchedule;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.train.BatchAdversary;

/**
 * ES-PGD whose budget grows linearly over the first {@code warmup} steps: step t (counted from 1,
 * across trainers when {@code done} steps were taken before) is attacked with ε_t = ε·t / warmup
 * and α = 2ε_t / iterations, every later step with the full schedule. Confined to the training
 * thread.
 */
final class RampedShiftAdversary implements BatchAdversary {
  private final PgdSchedule full;
  private final long warmup;
  private long steps;

  RampedShiftAdversary(PgdSchedule full, long warmup, long done) {
    if (warmup < 1 || done < 0) {
      throw new IllegalArgumentException("warm-up " + warmup + " / steps done " + done);
    }
    this.full = full;
    this.warmup = warmup;
    this.steps = done;
  }

  /** The schedule of the next step. */
  PgdSchedule next() {
    long t = steps + 1;
    return t >= warmup ? full : PgdSchedule.of(full.epsilon() * t / warmup, full.iterations());
  }

  @Override
  public NDArray perturb(EmbeddingModel model, NDArray images) {
    PgdSchedule now = next();
    steps++;
    return new EmbeddingShiftAdversary(now).perturb(model, images);
  }

  @Override
  public String describe() {
    return new EmbeddingShiftAdversary(full).describe() + " warmup-steps=" + warmup;
  }
}
