package io.advrank.core.attack;

import java.util.Locale;

/**
 * L∞ budgets as users write them: a decimal ({@code 0.03}) or a fraction of 255 ({@code 8/255}).
 */
public final class Epsilons {
  private Epsilons() {}

  /**
   * Parses {@code 0.03} or {@code 8/255} (any positive denominator); the message names the text and
   * the accepted forms. Range checks are the caller's (an {@link AttackSpec} checks (0, 1]).
   */
  public static double parse(String text) {
    String s = text.trim();
    try {
      int slash = s.indexOf('/');
      if (slash < 0) {
        return Double.parseDouble(s);
      }
      double numerator = Double.parseDouble(s.substring(0, slash));
      double denominator = Double.parseDouble(s.substring(slash + 1));
      if (!(denominator > 0)) {
        throw new NumberFormatException("denominator");
      }
      return numerator / denominator;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "epsilon: '" + text + "' is not a number such as 0.03 or a fraction such as 8/255");
    }
  }

  /**
   * A budget as written back to users: the decimal when it is short ({@code 0.3}, {@code 0.2}),
   * else {@code n/255} when it is a whole number of 255ths ({@code 8/255}, not 0.0313725…).
   */
  public static String format(double epsilon) {
    String decimal = String.format(Locale.ROOT, "%s", epsilon);
    double in255 = epsilon * 255;
    if (decimal.length() > 8 && Math.abs(in255 - Math.rint(in255)) < 1e-9) {
      return (long) Math.rint(in255) + "/255";
    }
    return decimal;
  }
}
