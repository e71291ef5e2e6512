package io.advrank.core.attack;

/**
 * What to attack with: the attack type, the L∞ budget ε, the size of the query set (w, for CA±) or
 * candidate set (m, for QA±), and the seed that fixes target sampling.
 *
 * @param type attack type
 * @param epsilon ε in (0, 1] (pixels are in [0,1])
 * @param size w or m, ≥ 1; ignored by {@link AttackType#ES}
 * @param seed seed of the target sampler
 */
public record AttackSpec(AttackType type, double epsilon, int size, long seed) {
  public AttackSpec {
    if (type == null) {
      throw new IllegalArgumentException(
          "attack type: missing (accepted: " + AttackType.accepted() + ")");
    }
    if (!(epsilon > 0 && epsilon <= 1)) {
      throw new IllegalArgumentException("epsilon: must be in (0, 1], was " + epsilon);
    }
    if (size < 1) {
      throw new IllegalArgumentException("size: must be >= 1, was " + size);
    }
  }

  /** The paper's PGD schedule for this ε. */
  public PgdSchedule schedule() {
    return PgdSchedule.of(epsilon);
  }

  /** A short description such as {@code CA+ eps=0.3 w=1}. */
  public String describe() {
    String sizeName =
        switch (type.role()) {
          case CANDIDATE -> " w=" + size;
          case QUERY -> " m=" + size;
          case SHIFT -> "";
        };
    return type.label() + " eps=" + epsilon + sizeName;
  }
}
