package io.advrank.core.attack;

import io.advrank.core.data.ImageDataset;
import io.advrank.core.model.EmbeddingModel;
import io.advrank.core.model.Embeddings;
import io.advrank.core.ranking.GalleryIndex;
import io.advrank.core.ranking.RetrievalMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntConsumer;

/**
 * The paper's evaluation protocol (docs/method.md): the gallery X is the whole test set (clean
 * embeddings); the first {@code limit} test items (all of them by default) are each attacked once,
 * in batches, and the rank percentiles are averaged. The clean ("ε = 0") value is the mean rank
 * percentile before the attack, over the same sampled targets.
 */
public final class AttackEvaluation implements AutoCloseable {
  private final EmbeddingModel model;
  private final ImageDataset testSet;
  private final Embeddings gallery;
  private final GalleryIndex index;
  private final RankingAttacker attacker;

  private AttackEvaluation(EmbeddingModel model, ImageDataset testSet) {
    this.model = model;
    this.testSet = testSet;
    this.gallery = model.embed(testSet);
    this.index = GalleryIndex.of(gallery);
    this.attacker = RankingAttacker.of(model, gallery);
  }

  /** Embeds {@code testSet} as the gallery; fails if the model takes other images. */
  public static AttackEvaluation of(EmbeddingModel model, ImageDataset testSet) {
    model.requireInputShape(testSet);
    return new AttackEvaluation(model, testSet);
  }

  EmbeddingModel model() {
    return model;
  }

  ImageDataset testSet() {
    return testSet;
  }

  GalleryIndex index() {
    return index;
  }

  /** |X|. */
  public int gallerySize() {
    return gallery.count();
  }

  /** Leave-one-out R@1 and mAP of the model on the gallery. */
  public RetrievalMetrics.Result retrieval() {
    return RetrievalMetrics.leaveOneOut(gallery, testSet.labels());
  }

  /** Fails with a one-line reason if {@code spec} cannot run on this gallery (e.g. too large w). */
  public void check(AttackSpec spec) {
    TargetSampler.checkSize(spec, gallery.count());
  }

  /**
   * Attacks test items 0..limit-1 once each, {@code batchSize} per PGD run; {@code progress} gets
   * the number of items done after each batch.
   */
  public Summary run(AttackSpec spec, int limit, int batchSize, IntConsumer progress) {
    return run(spec, limit, batchSize, PixelDepth.FLOAT32, progress);
  }

  /**
   * As {@link #run(AttackSpec, int, int, IntConsumer)}, with the adversarial images delivered and
   * measured at {@code depth}.
   */
  public Summary run(
      AttackSpec spec, int limit, int batchSize, PixelDepth depth, IntConsumer progress) {
    if (limit < 1 || limit > testSet.size()) {
      throw new IllegalArgumentException(
          "limit: must be in 1.." + testSet.size() + ", was " + limit);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size: must be >= 1, was " + batchSize);
    }
    TargetSampler sampler = new TargetSampler(index);
    Accumulator acc = new Accumulator();
    long t0 = System.nanoTime();
    for (int start = 0; start < limit; start += batchSize) {
      int[] items = range(start, Math.min(limit, start + batchSize));
      List<TargetSampler.Targets> targets = sampler.sample(spec, items);
      List<AttackRequest> requests = new ArrayList<>(items.length);
      for (int j = 0; j < items.length; j++) {
        TargetSampler.Targets t = targets.get(j);
        requests.add(
            new AttackRequest(testSet.image(items[j]), t.targets(), t.preserve(), items[j]));
      }
      attacker.attack(spec, requests, depth).forEach(acc::add);
      progress.accept(items[items.length - 1] + 1);
    }
    return acc.summary(spec, (System.nanoTime() - t0) / 1e9, depth);
  }

  /**
   * Mean results over the attacked items.
   *
   * @param spec the attack
   * @param count items attacked
   * @param rankBefore mean clean rank percentile (%), the table's ε = 0 value
   * @param rankAfter mean rank percentile (%) after the attack
   * @param successRate fraction of items whose rank moved the attack's way
   * @param meanShift mean embedding shift d(f(x̃), f(x))
   * @param maxLinf largest ‖x̃ − x‖∞ seen
   * @param seconds wall time, sampling and metrics included
   * @param depth the pixels the images were delivered and measured at
   * @param rankAfterFloat mean rank percentile (%) of PGD's float output, before quantisation
   *     (equal to {@code rankAfter} for {@link PixelDepth#FLOAT32})
   */
  public record Summary(
      AttackSpec spec,
      int count,
      double rankBefore,
      double rankAfter,
      double successRate,
      double meanShift,
      double maxLinf,
      double seconds,
      PixelDepth depth,
      double rankAfterFloat) {
    /** Attacked items per second. */
    public double attacksPerSecond() {
      return count / seconds;
    }
  }

  private static final class Accumulator {
    private int n;
    private double before;
    private double after;
    private double successes;
    private double shift;
    private double linf;
    private double afterFloat;

    void add(AttackResult r) {
      n++;
      before += r.rankBefore();
      after += r.rankAfter();
      afterFloat += r.rankAfterFloat();
      successes += r.success() ? 1 : 0;
      shift += r.embeddingShift();
      linf = Math.max(linf, r.linf());
    }

    Summary summary(AttackSpec spec, double seconds, PixelDepth depth) {
      return new Summary(
          spec,
          n,
          before / n,
          after / n,
          successes / n,
          shift / n,
          linf,
          seconds,
          depth,
          afterFloat / n);
    }
  }

  private static int[] range(int from, int to) {
    return java.util.stream.IntStream.range(from, to).toArray();
  }

  @Override
  public void close() {
    attacker.close();
    index.close();
  }
}
