package io.advrank.defensetrainer;

import java.time.Clock;
import java.time.Duration;

/**
 * When the candidate is measured: after {@code every} steps, or once {@code interval} has passed
 * since the last evaluation (or the start, a reset, a rebase), whichever comes first; never before
 * a step since then, nor before the held-out set has {@link #MIN_HELD_OUT} images to rank. Time
 * comes from the given clock, so tests decide it.
 */
final class EvaluationSchedule {
  /** Fewer held-out images than this give no meaningful R@1. */
  static final int MIN_HELD_OUT = 20;

  private final int every;
  private final Duration interval;
  private final Clock clock;
  private long stepsSince;
  private long lastMs;

  EvaluationSchedule(int every, Duration interval, Clock clock) {
    this.every = every;
    this.interval = interval;
    this.clock = clock;
    this.lastMs = clock.millis();
  }

  /** One more step taken. */
  void stepped() {
    stepsSince++;
  }

  /** Whether to evaluate now, with {@code heldOut} images held out. */
  boolean due(int heldOut) {
    if (stepsSince == 0 || heldOut < MIN_HELD_OUT) {
      return false;
    }
    return stepsSince >= every || clock.millis() - lastMs >= interval.toMillis();
  }

  /** Counts anew from now: after an evaluation, or when the candidate changed under it. */
  void restart() {
    stepsSince = 0;
    lastMs = clock.millis();
  }
}
