package io.advrank.core.attack;

import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/**
 * How PGD steps are sized for a kind of input. The paper's schedule (docs/method.md) was tuned on
 * 28×28 digits, where ε reaches 0.3; robrank's attacks on 224-pixel photos use ε 8/255 with a fixed
 * α = 1/255 and 32 iterations, the schedule marketplace-size models are judged by.
 */
public enum AttackProfile {
  /** The paper's 28-px schedule: α = min(max(ε/10, 1/255), 0.01), int(min(max(10, 2ε/α), 30)). */
  PAPER("paper", 0.3, 0.01, 0.03, 0.1, 0.3) {
    @Override
    public PgdSchedule schedule(double epsilon) {
      return PgdSchedule.of(epsilon);
    }
  },
  /**
   * robrank's {@code rob28}, the budget its robustness score (ERS) is measured at on 28-px data: ε
   * = 77/255 (0.30196), α = 3/255 (0.011764) and 32 iterations whatever ε.
   */
  ROB28("rob28", 77.0 / 255, 77.0 / 255) {
    @Override
    public PgdSchedule schedule(double epsilon) {
      return new PgdSchedule(epsilon, 3.0 / 255, 32);
    }
  },
  /** robrank's {@code rob224}: α = 1/255 and 32 iterations whatever ε, default ε 8/255. */
  ROB224("rob224", 8.0 / 255, 2.0 / 255, 4.0 / 255, 8.0 / 255, 16.0 / 255) {
    @Override
    public PgdSchedule schedule(double epsilon) {
      return new PgdSchedule(epsilon, 1.0 / 255, 32);
    }
  };

  private final String label;
  private final double defaultEpsilon;
  private final double[] tableEpsilons;

  AttackProfile(String label, double defaultEpsilon, double... tableEpsilons) {
    this.label = label;
    this.defaultEpsilon = defaultEpsilon;
    this.tableEpsilons = tableEpsilons;
  }

  /** The rows of a table under this profile (ε = 0 is added by the table). */
  public double[] tableEpsilons() {
    return tableEpsilons.clone();
  }

  /** The PGD step size and iteration count for budget {@code epsilon}. */
  public abstract PgdSchedule schedule(double epsilon);

  /** The budget this profile is usually reported at. */
  public double defaultEpsilon() {
    return defaultEpsilon;
  }

  public String label() {
    return label;
  }

  /** Parses a label (case-insensitive); the message lists the accepted ones. */
  public static AttackProfile parse(String text) {
    for (AttackProfile p : values()) {
      if (p.label.equals(text.trim().toLowerCase(Locale.ROOT))) {
        return p;
      }
    }
    throw new IllegalArgumentException(
        "profile: unknown '" + text + "' (accepted: " + accepted() + ")");
  }

  /** The labels, comma-separated. */
  public static String accepted() {
    return Arrays.stream(values()).map(AttackProfile::label).collect(Collectors.joining(", "));
  }
}
