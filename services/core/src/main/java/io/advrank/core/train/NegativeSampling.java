package io.advrank.core.train;

import java.util.Locale;
import java.util.Random;

/** How each anchor of a batch gets its negatives ({@link Triplets}). */
public enum NegativeSampling {
  /** One random member of another label per anchor: the paper's sampling. */
  RANDOM,
  /** Every member of another label, one triplet each; our variant. */
  ALL;

  /** The triplets of a pair-laid batch with these labels (in row order). */
  public Triplets triplets(int[] labels, Random random) {
    return this == ALL ? Triplets.allNegatives(labels) : Triplets.randomNegatives(labels, random);
  }

  /** The lower-case name used on the command line and in manifests. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Parses {@code random} or {@code all} (any case).
   *
   * @param option the option or setting named in the error
   */
  public static NegativeSampling parse(String value, String option) {
    for (NegativeSampling n : values()) {
      if (n.label().equalsIgnoreCase(value.trim())) {
        return n;
      }
    }
    throw new IllegalArgumentException(
        option + ": unknown '" + value + "' (accepted: random, all)");
  }
}
