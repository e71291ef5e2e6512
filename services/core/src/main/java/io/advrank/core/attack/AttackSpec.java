package io.advrank.core.attack;

/**
 * What to attack with: the attack type, the L∞ budget ε, the size of the query set (w, for CA±) or
 * candidate set (m, for QA±), the seed that fixes target sampling, and the profile that sizes the
 * PGD steps.
 *
 * @param type attack type
 * @param epsilon ε in (0, 1] (pixels are in [0,1])
 * @param size w or m, ≥ 1; ignored by {@link AttackType#ES}
 * @param seed seed of the target sampler
 * @param profile the PGD schedule's profile ({@link AttackProfile#PAPER} unless given)
 */
public record AttackSpec(
    AttackType type, double epsilon, int size, long seed, AttackProfile profile) {
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
    profile = profile == null ? AttackProfile.PAPER : profile;
  }

  /** An attack with the paper's schedule. */
  public AttackSpec(AttackType type, double epsilon, int size, long seed) {
    this(type, epsilon, size, seed, AttackProfile.PAPER);
  }

  /** The same attack with another schedule profile. */
  public AttackSpec withProfile(AttackProfile newProfile) {
    return new AttackSpec(type, epsilon, size, seed, newProfile);
  }

  /** The PGD schedule of this ε under the profile. */
  public PgdSchedule schedule() {
    return profile.schedule(epsilon);
  }

  /** A short description such as {@code CA+ eps=0.3 w=1}. */
  public String describe() {
    String sizeName =
        switch (type.role()) {
          case CANDIDATE -> " w=" + size;
          case QUERY -> " m=" + size;
          case SHIFT -> "";
        };
    String suffix = profile == AttackProfile.PAPER ? "" : " " + profile.label();
    return type.label() + " eps=" + Epsilons.format(epsilon) + sizeName + suffix;
  }
}
