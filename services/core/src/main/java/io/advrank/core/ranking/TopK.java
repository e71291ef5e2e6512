package io.advrank.core.ranking;

import java.util.Arrays;

/**
 * The {@code k} nearest gallery items of each of {@code queries} queries, nearest first.
 *
 * @param ids gallery indices, {@code queries × k}, row-major
 * @param distances the matching cosine distances
 * @param queries number of queries
 * @param k items per query
 */
public record TopK(int[] ids, float[] distances, int queries, int k) {
  /** The ids ranked for query {@code q}. */
  public int[] idsOf(int q) {
    return Arrays.copyOfRange(ids, q * k, (q + 1) * k);
  }

  /** The distances of the items ranked for query {@code q}. */
  public float[] distancesOf(int q) {
    return Arrays.copyOfRange(distances, q * k, (q + 1) * k);
  }
}
