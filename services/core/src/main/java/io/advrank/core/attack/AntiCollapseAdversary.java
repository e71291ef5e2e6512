package io.advrank.core.attack;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.train.TripletAdversary;
import io.advrank.core.train.Triplets;
import java.util.Arrays;

/**
 * The inner attack of ACT, the anti-collapse triplet defense (robrank's "positive-negative
 * perplexing", {@code pncollapse}): for each triplet (a, p, n), PGD moves p and n within ε towards
 * each other, minimising d(f(p̃), f(ñ)), so that the triplet step on (a, p̃, ñ) with the clean
 * anchor teaches the model to keep apart what an adversary can most easily collapse. The batch
 * trained on is [x; p̃_1..p̃_T; ñ_1..ñ_T] with triplets (a_t, n + t, n + T + t).
 */
public final class AntiCollapseAdversary implements TripletAdversary {
  /** Triplets per PGD run (twice as many images); each pair's loss is its own. */
  static final int CHUNK = 128;

  private final PgdSchedule schedule;

  public AntiCollapseAdversary(PgdSchedule schedule) {
    this.schedule = schedule;
  }

  @Override
  public Batch perturb(EmbeddingModel model, NDArray images, Triplets triplets) {
    NDManager owner = images.getManager();
    int n = triplets.images();
    int t = triplets.size();
    NDList positives = new NDList();
    NDList negatives = new NDList();
    for (int start = 0; start < t; start += CHUNK) {
      int end = Math.min(t, start + CHUNK);
      try (NDManager chunk = owner.newSubManager()) {
        NDArray rows =
            chunk.create(
                concat(
                    Arrays.copyOfRange(triplets.positives(), start, end),
                    Arrays.copyOfRange(triplets.negatives(), start, end)));
        // The gathered pairs and every PGD iterate live in this chunk's manager, freed with it.
        NDArray pairs = images.get(rows);
        pairs.attach(chunk);
        NDArray pn = Pgd.run(model, pairs, schedule, new CollapseObjective());
        NDArray p = pn.get(new NDIndex("0:{}", end - start));
        NDArray q = pn.get(new NDIndex("{}:", end - start));
        p.attach(owner);
        q.attach(owner);
        positives.add(p);
        negatives.add(q);
      }
    }
    NDList all = new NDList(images);
    all.addAll(positives);
    all.addAll(negatives);
    NDArray batch = NDArrays.concat(all);
    batch.attach(owner);
    int[] pos = new int[t];
    int[] neg = new int[t];
    for (int k = 0; k < t; k++) {
      pos[k] = n + k;
      neg[k] = n + t + k;
    }
    return new Batch(batch, new Triplets(n + 2 * t, triplets.anchors().clone(), pos, neg));
  }

  @Override
  public String describe() {
    return "act eps="
        + schedule.epsilon()
        + " alpha="
        + schedule.alpha()
        + " iterations="
        + schedule.iterations();
  }

  private static long[] concat(int[] a, int[] b) {
    long[] out = new long[a.length + b.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    for (int i = 0; i < b.length; i++) {
      out[a.length + i] = b[i];
    }
    return out;
  }

  /**
   * d(f(p̃), f(ñ)) = 1 − ⟨f(p̃), f(ñ)⟩ for rows [p̃_1..p̃_k; ñ_1..ñ_k], one value per pair: PGD
   * differentiates their sum, so both halves move towards each other.
   */
  private static final class CollapseObjective implements Objective {
    @Override
    public NDArray loss(NDArray embeddings) {
      long k = embeddings.getShape().get(0) / 2;
      NDArray p = embeddings.get(new NDIndex("0:{}", k));
      NDArray q = embeddings.get(new NDIndex("{}:", k));
      return p.mul(q).sum(new int[] {1}).neg().add(1f);
    }

    @Override
    public NDArray rankPercent(NDArray embeddings) {
      return embeddings.getManager().full(new Shape(embeddings.getShape().get(0) / 2), Float.NaN);
    }
  }
}
