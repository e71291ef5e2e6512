package io.advrank.core.defense;

import io.advrank.core.attack.EmbeddingShiftAdversary;
import io.advrank.core.attack.PgdSchedule;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.train.BatchAdversary;
import io.advrank.core.train.TrainSettings;
import io.advrank.core.train.TripletTrainer;

/**
 * The paper's defense, embedding-shifted triplet training (EST, "maximum-shift-distance",
 * docs/method.md §5): for each training batch, ES-PGD finds x̃ with ‖x̃ − x‖∞ ≤ ε that maximises
 * d(f(x̃), f(x)) (ε = 0.3, α = 0.01, 30 iterations on 28×28 data), then the cosine triplet step L =
 * mean [β + d(ã, p̃) − d(ã, ñ)]+ is taken on those adversarial images. A step costs about 30 clean
 * steps.
 *
 * <p>The same trainer serves offline training from scratch ({@code advrank train --defense est})
 * and fine-tuning of an existing model, one {@link TripletTrainer#step} per incoming batch (the
 * defense-trainer service).
 *
 * <p>Three knobs are our variants, not the paper's (all 0 is the paper's EST): {@code cleanWeight}
 * w keeps the clean triplets in every step, L = w·L(x) + (1 − w)·L(x̃), trading some robustness for
 * clean R@1; {@code shiftWeight} λ adds λ·mean d(f(x), f(x̃)), minimising the very shift the inner
 * attack maximised; {@code warmupSteps} T ramps the inner attack's budget up, ε_t = ε·t / T for
 * steps t &lt; T (a gradual adversary: fine-tuning a vanilla model, the full ε from the first step
 * throws away clean R@1 that the ramp keeps for the same robustness; README, "Defense").
 *
 * @param schedule the inner ES-PGD attack's ε, α and iterations
 * @param cleanWeight share of the clean triplet loss in [0, 1)
 * @param shiftWeight weight λ ≥ 0 of the embedding-shift penalty
 * @param warmupSteps steps T ≥ 0 over which ε grows linearly to its full value; 0 = none
 */
public record EstDefense(
    PgdSchedule schedule, double cleanWeight, double shiftWeight, long warmupSteps)
    implements Defense {
  /** The paper's ε = 0.3 on 28×28 images. */
  public static final double PAPER_EPSILON = 0.3;

  public EstDefense {
    if (schedule == null) {
      throw new IllegalArgumentException("schedule: missing");
    }
    if (!(cleanWeight >= 0 && cleanWeight < 1)) {
      throw new IllegalArgumentException("clean weight: must be in [0, 1), was " + cleanWeight);
    }
    if (!(shiftWeight >= 0)) {
      throw new IllegalArgumentException("shift weight: must be >= 0, was " + shiftWeight);
    }
    if (warmupSteps < 0) {
      throw new IllegalArgumentException("warm-up steps: must be >= 0, was " + warmupSteps);
    }
  }

  /** The paper's EST: every triplet step on the adversarial batch alone. */
  public EstDefense(PgdSchedule schedule) {
    this(schedule, 0, 0, 0);
  }

  /** The same defense with a share {@code weight} of clean triplets in every step. */
  public EstDefense withCleanWeight(double weight) {
    return new EstDefense(schedule, weight, shiftWeight, warmupSteps);
  }

  /** The same defense with the embedding-shift penalty λ·mean d(f(x), f(x̃)) added. */
  public EstDefense withShiftWeight(double lambda) {
    return new EstDefense(schedule, cleanWeight, lambda, warmupSteps);
  }

  /** The same defense with ε ramped up linearly over the first {@code steps} steps. */
  public EstDefense withWarmup(long steps) {
    return new EstDefense(schedule, cleanWeight, shiftWeight, steps);
  }

  /** EST with the paper's PGD schedule for {@code epsilon} (0.3 → α 0.01, 30 iterations). */
  public static EstDefense of(double epsilon) {
    return new EstDefense(PgdSchedule.of(epsilon));
  }

  /**
   * A trainer that takes every triplet step on ES-perturbed batches. Works on a fresh model as on a
   * loaded one (fine-tuning); the caller saves the model and records {@link #describe()}.
   */
  public TripletTrainer trainer(EmbeddingModel model, TrainSettings settings) {
    return trainer(model, settings, 0);
  }

  /**
   * As {@link #trainer(EmbeddingModel, TrainSettings)}, for a run that has already taken {@code
   * stepsDone} EST steps (with another trainer): the ε warm-up goes on from there.
   */
  @Override
  public TripletTrainer trainer(EmbeddingModel model, TrainSettings settings, long stepsDone) {
    return new TripletTrainer(model, settings)
        .optAdversary(adversary(stepsDone))
        .optCleanWeight(cleanWeight)
        .optShiftWeight(shiftWeight);
  }

  /** The inner attack, {@code stepsDone} steps into the run. */
  BatchAdversary adversary(long stepsDone) {
    return warmupSteps == 0
        ? new EmbeddingShiftAdversary(schedule)
        : new RampedShiftAdversary(schedule, warmupSteps, stepsDone);
  }

  /** For manifests and logs, e.g. {@code est eps=0.3 alpha=0.01 iterations=30}. */
  @Override
  public String describe() {
    String est = new EmbeddingShiftAdversary(schedule).describe();
    return est
        + (cleanWeight > 0 ? " clean-weight=" + cleanWeight : "")
        + (shiftWeight > 0 ? " shift-weight=" + shiftWeight : "")
        + (warmupSteps > 0 ? " warmup-steps=" + warmupSteps : "");
  }
}
