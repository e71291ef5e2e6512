package io.advrank.core.model;

import java.util.Arrays;

/**
 * A row-major block of L2-normalised embeddings: row {@code i} is f(x_i).
 *
 * @param values {@code count × dim} floats; not copied, so do not mutate after handing over
 * @param count number of rows
 * @param dim length of each row
 */
public record Embeddings(float[] values, int count, int dim) {
  public Embeddings {
    if (count < 0 || dim <= 0 || values.length != (long) count * dim) {
      throw new IllegalArgumentException(
          "embeddings: " + values.length + " values do not form " + count + " rows of " + dim);
    }
  }

  /** A copy of row {@code i}. */
  public float[] row(int i) {
    return Arrays.copyOfRange(values, i * dim, (i + 1) * dim);
  }

  /** The rows at the given indices, in that order. */
  public Embeddings rows(int[] indices) {
    float[] out = new float[indices.length * dim];
    for (int k = 0; k < indices.length; k++) {
      System.arraycopy(values, indices[k] * dim, out, k * dim, dim);
    }
    return new Embeddings(out, indices.length, dim);
  }

  /** Cosine distance d(a, b) = 1 − ⟨f(a), f(b)⟩ between rows {@code i} and {@code j}. */
  public double distance(int i, int j) {
    double dot = 0;
    for (int k = 0; k < dim; k++) {
      dot += values[i * dim + k] * values[j * dim + k];
    }
    return 1 - dot;
  }
}
