package io.advrank.core.train;

import java.util.Random;

/**
 * The triplets of one batch, as row indices into it: triplet k is (anchors[k], positives[k],
 * negatives[k]). Batches are laid out as same-label pairs (a0, p0, a1, p1, …), so every image is an
 * anchor and its pair partner is its positive; the two factories differ in the negatives.
 *
 * @param images rows in the batch
 * @param anchors row of each triplet's anchor
 * @param positives row of each triplet's positive (same label as the anchor)
 * @param negatives row of each triplet's negative (another label, or the anchor itself when the
 *     batch holds no other label: a constant margin and no gradient)
 */
public record Triplets(int images, int[] anchors, int[] positives, int[] negatives) {

  public Triplets {
    if (anchors.length != positives.length || anchors.length != negatives.length) {
      throw new IllegalArgumentException(
          "triplets: "
              + anchors.length
              + " anchors, "
              + positives.length
              + " positives, "
              + negatives.length
              + " negatives");
    }
    for (int[] rows : new int[][] {anchors, positives, negatives}) {
      for (int r : rows) {
        if (r < 0 || r >= images) {
          throw new IllegalArgumentException("triplets: row " + r + " outside [0, " + images + ")");
        }
      }
    }
  }

  /**
   * The paper's sampling (docs/method.md): each image of a pair-laid batch is an anchor once, with
   * its partner as positive and one random member of another label as negative.
   *
   * @param labels the batch's labels, in row order
   */
  public static Triplets randomNegatives(int[] labels, Random random) {
    int n = labels.length;
    int[] neg = new int[n];
    for (int i = 0; i < n; i++) {
      neg[i] = i;
      for (int tries = 0; tries < 64; tries++) {
        int j = random.nextInt(n);
        if (labels[j] != labels[i]) {
          neg[i] = j;
          break;
        }
      }
    }
    return new Triplets(n, identity(n), partners(n), neg);
  }

  /**
   * Every anchor with its partner as positive and, in turn, each batch member of another label as
   * negative: for a batch of n images over many labels about n·(n − n/labels) triplets from the
   * same n embeddings, so the loss (their mean) averages out the choice of one random negative. Our
   * variant, not the paper's. A batch of one label gets each anchor as its own negative.
   *
   * @param labels the batch's labels, in row order
   */
  public static Triplets allNegatives(int[] labels) {
    int n = labels.length;
    int count = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        count += labels[j] != labels[i] ? 1 : 0;
      }
    }
    if (count == 0) {
      return new Triplets(n, identity(n), partners(n), identity(n));
    }
    int[] anchors = new int[count];
    int[] pos = new int[count];
    int[] neg = new int[count];
    int k = 0;
    for (int i = 0; i < n; i++) {
      for (int j = 0; j < n; j++) {
        if (labels[j] != labels[i]) {
          anchors[k] = i;
          pos[k] = i ^ 1;
          neg[k] = j;
          k++;
        }
      }
    }
    return new Triplets(n, anchors, pos, neg);
  }

  /** Number of triplets. */
  public int size() {
    return anchors.length;
  }

  /** Row i's pair partner, i XOR 1. */
  private static int[] partners(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i ^ 1;
    }
    return rows;
  }

  private static int[] identity(int n) {
    int[] rows = new int[n];
    for (int i = 0; i < n; i++) {
      rows[i] = i;
    }
    return rows;
  }
}
