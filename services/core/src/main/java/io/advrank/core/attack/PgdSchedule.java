package io.advrank.core.attack;

/**
 * The PGD step size and iteration count of the paper's attacks (docs/method.md): α = min(max(ε/10,
 * 1/255), 0.01) and iterations = int(min(max(10, 2ε/α), 30)). So ε 0.01 → α 1/255, 10 steps; 0.03 →
 * 1/255, 15; 0.1 → 0.01, 20; 0.3 → 0.01, 30.
 *
 * @param epsilon L∞ budget ε in (0, 1]
 * @param alpha step size α > 0
 * @param iterations PGD steps ≥ 1
 */
public record PgdSchedule(double epsilon, double alpha, int iterations) {
  public PgdSchedule {
    if (!(epsilon > 0 && epsilon <= 1)) {
      throw new IllegalArgumentException("epsilon: must be in (0, 1], was " + epsilon);
    }
    if (!(alpha > 0 && alpha <= 1)) {
      throw new IllegalArgumentException("alpha: must be in (0, 1], was " + alpha);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations: must be >= 1, was " + iterations);
    }
  }

  /** The paper's schedule for budget {@code epsilon}. */
  public static PgdSchedule of(double epsilon) {
    if (!(epsilon > 0 && epsilon <= 1)) {
      throw new IllegalArgumentException("epsilon: must be in (0, 1], was " + epsilon);
    }
    double alpha = Math.min(Math.max(epsilon / 10, 1.0 / 255), 0.01);
    int iterations = (int) Math.min(Math.max(10, 2 * epsilon / alpha), 30);
    return new PgdSchedule(epsilon, alpha, iterations);
  }

  /**
   * A shorter (or longer) run for budget {@code epsilon}: {@code iterations} steps of α = 2ε /
   * iterations, the paper's own rule iterations = 2ε/α solved for α, so the steps still add up to
   * twice the budget. E.g. ε 0.3 in 10 steps: α 0.06. For a cheaper inner attack in adversarial
   * training; the attacks themselves keep {@link #of(double)}.
   */
  public static PgdSchedule of(double epsilon, int iterations) {
    // The constructor checks epsilon; iterations here, before a negative count makes alpha wrong.
    if (iterations < 1 || iterations > 1000) {
      throw new IllegalArgumentException("iterations: must be in 1..1000, was " + iterations);
    }
    return new PgdSchedule(epsilon, Math.min(1, 2 * epsilon / iterations), iterations);
  }
}
