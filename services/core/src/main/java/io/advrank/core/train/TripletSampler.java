package io.advrank.core.train;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * Per-class triplet sampling: each epoch shuffles every class and cuts it into pairs, then batches
 * shuffled pairs. In a batch, each image is an anchor, its pair partner the positive (same label)
 * and a random batch member of another label the negative (or, with {@link NegativeSampling#ALL},
 * every one of them). Every image is an anchor once per epoch, and all three images of a triplet
 * share one forward pass.
 */
final class TripletSampler {
  private final int[] labels;
  private final int batchSize;
  private final Random random;
  private final NegativeSampling negatives;

  TripletSampler(int[] labels, int batchSize, Random random) {
    this(labels, batchSize, random, NegativeSampling.RANDOM);
  }

  TripletSampler(int[] labels, int batchSize, Random random, NegativeSampling negatives) {
    this.labels = labels.clone();
    this.batchSize = batchSize;
    this.random = random;
    this.negatives = negatives;
  }

  /** One epoch of batches; each batch lists image indices as (a0, p0, a1, p1, …). */
  List<int[]> epoch() {
    List<int[]> pairs = new ArrayList<>();
    for (List<Integer> members : byClass()) {
      Collections.shuffle(members, random);
      for (int i = 0; i + 1 < members.size(); i += 2) {
        pairs.add(new int[] {members.get(i), members.get(i + 1)});
      }
    }
    Collections.shuffle(pairs, random);
    List<int[]> batches = new ArrayList<>();
    int pairsPerBatch = batchSize / 2;
    for (int start = 0; start < pairs.size(); start += pairsPerBatch) {
      int n = Math.min(pairsPerBatch, pairs.size() - start);
      if (n < 2) {
        break; // a lone pair has no negative
      }
      int[] batch = new int[2 * n];
      for (int k = 0; k < n; k++) {
        batch[2 * k] = pairs.get(start + k)[0];
        batch[2 * k + 1] = pairs.get(start + k)[1];
      }
      batches.add(batch);
    }
    return batches;
  }

  /** How many batches {@link #epoch()} yields for these labels, whatever the shuffle. */
  static int batchesPerEpoch(int[] labels, int batchSize) {
    int pairsPerBatch = batchSize / 2;
    if (pairsPerBatch < 2) {
      return 0; // every batch would be a lone pair
    }
    int pairs = 0;
    for (List<Integer> members : new TripletSampler(labels, batchSize, null).byClass()) {
      pairs += members.size() / 2;
    }
    return pairs / pairsPerBatch + (pairs % pairsPerBatch >= 2 ? 1 : 0);
  }

  /** The batch's triplets, as rows within it. */
  Triplets triplets(int[] batch) {
    int[] batchLabels = new int[batch.length];
    for (int i = 0; i < batch.length; i++) {
      batchLabels[i] = labels[batch[i]];
    }
    return negatives.triplets(batchLabels, random);
  }

  private List<List<Integer>> byClass() {
    int classes = 0;
    for (int l : labels) {
      classes = Math.max(classes, l + 1);
    }
    List<List<Integer>> out = new ArrayList<>();
    for (int c = 0; c < classes; c++) {
      out.add(new ArrayList<>());
    }
    for (int i = 0; i < labels.length; i++) {
      out.get(labels[i]).add(i);
    }
    return out;
  }
}
